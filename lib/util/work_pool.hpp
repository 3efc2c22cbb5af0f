// A pool of worker threads for the work of many documents that can run in
// parallel (files and computation, no database), while the calling thread
// does what cannot (the database, delivery) with the items already done.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace signet::util {

// Runs `job` on each submitted item, on `threads` worker threads, in the
// order submitted (several at a time); the caller takes the items that are
// done. The items belong to the caller and must stay put until taken. The
// job must not throw: it keeps an error in its item for the caller.
template <typename T>
class WorkPool {
public:
    using Job = std::function<void(T&)>;

    // `nice`: the workers' nice value above the process's (Linux sets it
    // per thread). A positive one keeps the calling thread, the stage that
    // cannot run in parallel, from waiting for a core.
    WorkPool(std::size_t threads, Job job, int nice = 0) : m_job(std::move(job)) {
        try {
            for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i) {
                m_threads.emplace_back([this, nice] { work(nice); });
            }
        } catch (...) {
            stop();
            throw;
        }
    }

    // Drops the items not started and waits for those running.
    ~WorkPool() { stop(); }
    WorkPool(const WorkPool&) = delete;
    WorkPool& operator=(const WorkPool&) = delete;

    void submit(const std::vector<T*>& items) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_queue.insert(m_queue.end(), items.begin(), items.end());
            m_in_flight += items.size();
        }
        m_wake.notify_all();
    }
    void submit(T* item) { submit(std::vector<T*>{item}); }

    // Items submitted and not taken yet.
    std::size_t in_flight() {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_in_flight;
    }

    // Waits until at least `at_least` submitted items are done (fewer when
    // fewer are in flight) and returns every one done so far, in the order
    // they were finished.
    std::vector<T*> take(std::size_t at_least) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_done_cv.wait(lock, [&] { return m_done.size() >= std::min(at_least, m_in_flight); });
        std::vector<T*> done;
        done.swap(m_done);
        m_in_flight -= done.size();
        return done;
    }

private:
    void stop() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_closed = true;
            m_queue.clear();
        }
        m_wake.notify_all();
        for (std::thread& t : m_threads) {
            t.join();
        }
        m_threads.clear();
    }

    void work(int nice) {
        if (nice != 0) {
            ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)),
                          ::getpriority(PRIO_PROCESS, 0) + nice);
        }
        for (;;) {
            T* item = nullptr;
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_wake.wait(lock, [&] { return m_closed || !m_queue.empty(); });
                if (m_queue.empty()) {
                    return;
                }
                item = m_queue.front();
                m_queue.pop_front();
            }
            m_job(*item);
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_done.push_back(item);
            }
            m_done_cv.notify_one();
        }
    }

    Job m_job;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done_cv;
    std::deque<T*> m_queue;
    std::vector<T*> m_done;
    std::size_t m_in_flight = 0;
    bool m_closed = false;
    std::vector<std::thread> m_threads;
};

}  // namespace signet::util
