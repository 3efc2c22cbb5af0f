#include "util/work_pool.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

using namespace signet;

namespace {

struct Item {
    int value = 0;
    int result = 0;
    std::thread::id worker;
};

}  // namespace

TEST_CASE("a work pool runs the job once on every item and hands each back once") {
    std::vector<Item> items(200);
    for (int i = 0; i < 200; ++i) {
        items[static_cast<std::size_t>(i)].value = i;
    }
    std::atomic<int> calls{0};
    util::WorkPool<Item> pool(4, [&](Item& item) {
        ++calls;
        item.result = item.value * 2;
        item.worker = std::this_thread::get_id();
    });
    std::vector<Item*> first;
    for (std::size_t i = 0; i < 100; ++i) {
        first.push_back(&items[i]);
    }
    pool.submit(first);
    for (std::size_t i = 100; i < items.size(); ++i) {
        pool.submit(&items[i]);
    }
    CHECK(pool.in_flight() == 200);
    std::set<Item*> taken;
    while (pool.in_flight() > 0) {
        for (Item* done : pool.take(7)) {
            CHECK(taken.insert(done).second);
        }
    }
    CHECK(taken.size() == 200);
    CHECK(calls == 200);
    for (const Item& item : items) {
        CHECK(item.result == item.value * 2);
        const bool on_a_worker = item.worker != std::this_thread::get_id();
        CHECK(on_a_worker);
    }
    CHECK(pool.take(1).empty());  // nothing in flight: returns at once
}

TEST_CASE("take waits for as many items as asked, or all those in flight") {
    std::vector<Item> items(5);
    util::WorkPool<Item> pool(2, [](Item& item) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        item.result = 1;
    });
    for (Item& item : items) {
        pool.submit(&item);
    }
    const std::vector<Item*> some = pool.take(3);
    CHECK(some.size() >= 3);
    for (const Item* item : some) {
        CHECK(item->result == 1);
    }
    const std::vector<Item*> rest = pool.take(100);
    CHECK(some.size() + rest.size() == 5);
    CHECK(pool.in_flight() == 0);
}

TEST_CASE("a work pool destroyed early drops the items not started and waits for the others") {
    std::vector<Item> items(50);
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    {
        util::WorkPool<Item> pool(
            1,
            [&](Item& item) {
                ++started;
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                item.result = 1;
                ++finished;
            },
            5);
        for (Item& item : items) {
            pool.submit(&item);
        }
        pool.take(1);
    }
    CHECK(started == finished);  // none left running
    CHECK(finished < 50);
}
