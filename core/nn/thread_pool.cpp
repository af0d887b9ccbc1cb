#include "core/nn/thread_pool.h"

#include <chrono>

namespace aer {
namespace {
thread_local bool t_in_job = false;
} // namespace

bool ThreadPool::in_job() {
    return t_in_job;
}

ThreadPool::~ThreadPool() {
    resize(1);
}

void ThreadPool::resize(int threads) {
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
#ifdef AER_SINGLE_THREADED
    threads = 1;
#elif defined(__EMSCRIPTEN__)
    // A pthread beyond the workers Emscripten pre-spawns (PTHREAD_POOL_SIZE: the core count for
    // the page, 8 for node programs) only starts once the main thread yields to the event loop,
    // and joining it from there would hang: stay within both.
    const int cores = int(std::thread::hardware_concurrency());
    if (cores >= 1 && threads > cores)
        threads = cores;
    if (threads > wasm_max_threads)
        threads = wasm_max_threads;
#endif
    if (threads == threads_)
        return;
    // Stop every worker, then start the number wanted: simpler than stopping a subset.
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_)
        t.join();
    workers_.clear();
    stop_ = false;
    threads_ = threads;
#ifndef AER_SINGLE_THREADED
    for (int i = 1; i < threads; ++i)
        workers_.emplace_back([this] { worker_loop(); });
#endif
}

void ThreadPool::run_chunks(Job& job) {
    const bool was_in_job = t_in_job;
    t_in_job = true;
    for (;;) {
        const int c = job.next.fetch_add(1);
        if (c >= job.chunks)
            break;
        const long long n = job.n;
        const int begin = int(n * c / job.chunks);
        const int end = int(n * (c + 1) / job.chunks);
        (*job.fn)(begin, end);
    }
    t_in_job = was_in_job;
}

void ThreadPool::worker_loop() {
    unsigned seen;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        seen = generation_;
    }
    for (;;) {
        // Poll briefly before sleeping (see the header): checking the clock every 64 polls.
        const auto spin_end = std::chrono::steady_clock::now() + std::chrono::microseconds(spin_microseconds);
        for (int i = 1; generation_.load(std::memory_order_acquire) == seen && !stop_.load(); ++i)
            if (i % 64 == 0 && std::chrono::steady_clock::now() > spin_end)
                break;
        Job* job = nullptr;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_)
                return;
            seen = generation_;
            job = job_;
            if (!job) // the caller already finished that job alone
                continue;
            job->active.fetch_add(1);
        }
        run_chunks(*job);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (job->active.fetch_sub(1) == 1)
                left_.notify_all();
        }
    }
}

void ThreadPool::run(int n, const std::function<void(int, int)>& fn) {
    if (n <= 0)
        return;
    if (threads_ == 1 || n == 1 || t_in_job) {
        fn(0, n);
        return;
    }
    std::unique_lock<std::mutex> submit(submit_, std::try_to_lock);
    if (!submit.owns_lock()) { // another thread's job is in flight
        fn(0, n);
        return;
    }
    Job job;
    job.fn = &fn;
    job.n = n;
    job.chunks = n < threads_ ? n : threads_;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = &job;
        ++generation_;
    }
    wake_.notify_all();
    run_chunks(job);
    // No worker may join once job_ is cleared; wait for those that did (polling first, as the
    // workers do: the last chunk usually ends within microseconds of ours).
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = nullptr;
    }
    const auto spin_end = std::chrono::steady_clock::now() + std::chrono::microseconds(spin_microseconds);
    for (int i = 1; job.active.load(std::memory_order_acquire) != 0; ++i)
        if (i % 64 == 0 && std::chrono::steady_clock::now() > spin_end)
            break;
    std::unique_lock<std::mutex> lock(mutex_);
    left_.wait(lock, [&] { return job.active.load() == 0; });
}

ThreadPool& global_pool() {
    static ThreadPool pool;
    return pool;
}

} // namespace aer
