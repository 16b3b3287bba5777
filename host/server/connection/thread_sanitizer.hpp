#pragma once

// Describes to ThreadSanitizer a hand-over between threads that it cannot see. GCC 12's
// runtime records a release for epoll_ctl(EPOLL_CTL_ADD) but none for EPOLL_CTL_MOD, so
// it misses that a request thread which re-arms a one-shot connection hands it to the
// poll thread. In builds without ThreadSanitizer these functions do nothing.

#if defined(__SANITIZE_THREAD__)
#define VALHALLA_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VALHALLA_THREAD_SANITIZER 1
#endif
#endif

#ifdef VALHALLA_THREAD_SANITIZER
#include <sanitizer/tsan_interface.h>
#endif

namespace valhalla::host::server::connection {

/// Ends this thread's use of `object` before another thread takes it over through a
/// channel that ThreadSanitizer does not see, such as epoll.
inline void releaseForThreadSanitizer([[maybe_unused]] void* object) {
#ifdef VALHALLA_THREAD_SANITIZER
    __tsan_release(object);
#endif
}

/// Begins this thread's use of `object` after releaseForThreadSanitizer in another thread.
inline void acquireForThreadSanitizer([[maybe_unused]] void* object) {
#ifdef VALHALLA_THREAD_SANITIZER
    __tsan_acquire(object);
#endif
}

}  // namespace valhalla::host::server::connection
