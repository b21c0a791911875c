#ifndef CSYSTEM_H
#define CSYSTEM_H
// Glibc's Swift module does not export epoll, eventfd, accept4 or mallopt; this header does.
// No _GNU_SOURCE here: it changes glibc's own declarations (e.g. `__rusage_who`), and
// Swift then refuses to load this module beside SwiftGlibc. accept4 is declared below.
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <fcntl.h>
#include <unistd.h>
#include <malloc.h>

// EPOLL* constants are enum members in glibc whose import into Swift is awkward;
// plain functions give Swift a typed UInt32.
static inline uint32_t csystem_epollin(void) { return EPOLLIN; }
static inline uint32_t csystem_epollout(void) { return EPOLLOUT; }
static inline uint32_t csystem_epollrdhup(void) { return EPOLLRDHUP; }
static inline uint32_t csystem_epollhup(void) { return EPOLLHUP; }
static inline uint32_t csystem_epollerr(void) { return EPOLLERR; }
static inline uint32_t csystem_epollet(void) { return EPOLLET; }
static inline uint32_t csystem_epolloneshot(void) { return EPOLLONESHOT; }

extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK 04000
#endif
#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 02000000
#endif

// glibc's mallopt is not in its Swift module either; 1 on success.
static inline int csystem_disable_fast_bins(void) { return mallopt(M_MXFAST, 0); }
// M_TOP_PAD at 64 MiB (a thread arena's heap size): glibc then never unmaps or shrinks
// a heap of a thread's arena from inside free (see HTTPServer.tuneAllocator).
static inline int csystem_keep_arena_heaps(void) { return mallopt(M_TOP_PAD, 64 << 20); }

static inline int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}
#endif
