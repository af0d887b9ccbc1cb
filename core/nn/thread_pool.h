// aer/nn/thread_pool: the small persistent pool behind parallel_for() and the gemm split.
//
// Contract
// - A ThreadPool owns threads() - 1 worker threads (std::thread; pthreads in the wasm threaded
//   build). The thread that calls run() always takes part, so threads() = 1 means no worker.
// - run(n, fn) splits [0, n) into min(n, threads()) contiguous chunks of near-equal size:
//   chunk c is [n c / t, n (c + 1) / t). The split depends only on n and threads(), never on
//   timing. Chunks are claimed from a shared counter, so whichever thread runs a chunk, every
//   index is covered exactly once, and a worker that has not started yet (a wasm worker that
//   is still being created) cannot stall a job: the caller then runs every chunk itself.
// - One job at a time: a run() issued from inside a job (nested), or while another thread's job
//   is in flight, runs fn(0, n) inline on its caller. Callers whose results must not depend on
//   the split (every kernel here) reduce each output in a fixed order inside a chunk.
// - In the single-threaded wasm build (__EMSCRIPTEN__ without __EMSCRIPTEN_PTHREADS__) no thread
//   is ever created: resize() clips to 1 and run() calls fn(0, n).
// - run() allocates nothing; resize() joins or starts threads and is not safe against a
//   concurrent run() (set the thread count before work starts).
// - After a job a worker polls for the next one for spin_microseconds before it sleeps on a
//   condition variable: a layer issues gemms back to back with short serial work in between, and
//   a futex (or, in wasm, Atomics.wait) wake-up costs tens of microseconds.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define AER_SINGLE_THREADED 1
#endif

namespace aer {

class ThreadPool {
  public:
    ThreadPool() = default;
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    /// Sets the thread count (callers included) to `threads`, clipped to 1..64 (1 in the
    /// single-threaded build; in the wasm threaded build, whose pthreads come from workers
    /// pre-spawned at start-up, the core count and wasm_max_threads). Joins surplus workers,
    /// starts missing ones.
    void resize(int threads);
    /// The thread count including the caller (>= 1).
    int threads() const { return threads_; }

    /// Runs fn(begin, end) over the contiguous chunks of [0, n) described above and returns once
    /// all are done. n <= 0 does nothing.
    void run(int n, const std::function<void(int, int)>& fn);

    /// True on a thread that is currently executing a chunk of some job (worker or caller).
    static bool in_job();

    static constexpr int spin_microseconds = 50;
    /// The wasm threaded build's cap: CMake's smallest PTHREAD_POOL_SIZE (8, node programs).
    static constexpr int wasm_max_threads = 8;

  private:
    struct Job {
        const std::function<void(int, int)>* fn = nullptr;
        int n = 0;
        int chunks = 0;
        std::atomic<int> next{0};   // next chunk to claim
        std::atomic<int> active{0}; // workers that joined this job and have not left it
    };

    void worker_loop();
    static void run_chunks(Job& job);

    int threads_ = 1;
    std::vector<std::thread> workers_;
    std::mutex submit_; // held by the thread whose job is in flight
    std::mutex mutex_;  // guards job_ and stop_; generation_ is written under it
    std::condition_variable wake_;
    std::condition_variable left_; // a worker left a job
    Job* job_ = nullptr;
    std::atomic<unsigned> generation_{0}; // bumped when a job is published
    std::atomic<bool> stop_{false};       // written under mutex_
};

/// The process-wide pool used by parallel_for() and the gemm backends.
ThreadPool& global_pool();

} // namespace aer
