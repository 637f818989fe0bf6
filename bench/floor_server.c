/* The floor of the callback benchmark: what accept, read and write on loopback cost with no
 * WeChat work. Answers every complete HTTP/1.1 request with "success" (keep-alive), except
 * GET /metrics, which reports the request count in the gateway's metric so that
 * bench/run_callback_bench.sh measures both the same way.
 *
 *   cc -O2 -pthread -o floor_server bench/floor_server.c && ./floor_server PORT [THREADS]
 *
 * One thread per core, each with its own SO_REUSEPORT listener and epoll loop (the gateway
 * has one io_context per core too). Exits on SIGTERM/SIGINT. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kBuf = 65536 };
struct conn { int fd; size_t len; char buf[kBuf]; };
static int port;
static atomic_ulong served;
static const char kOk[] = "HTTP/1.1 200 OK\r\nServer: floor\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nsuccess";

static void answer_metrics(int fd) {
  char body[160], res[320];
  int n = snprintf(body, sizeof body, "xiaoqu_http_requests_total{route=\"/wechat/callback\",status=\"200\"} %lu\n",
                   atomic_load(&served));
  int m = snprintf(res, sizeof res, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", n, body);
  if (write(fd, res, (size_t)m) < 0) perror("write");
}

/* Answers every complete request in c->buf; returns -1 when the connection must close. */
static int serve(struct conn* c) {
  for (;;) {
    char* end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end) return c->len == kBuf ? -1 : 0;
    size_t head = (size_t)(end - c->buf) + 4, body = 0;
    char* cl = memmem(c->buf, head, "Content-Length:", 15);
    if (cl) body = strtoul(cl + 15, NULL, 10);
    if (head + body > kBuf) return -1;
    if (c->len < head + body) return 0;
    if (strncmp(c->buf, "GET /metrics", 12) == 0) {
      answer_metrics(c->fd);
    } else {
      if (write(c->fd, kOk, sizeof kOk - 1) < 0) return -1;
      atomic_fetch_add_explicit(&served, 1, memory_order_relaxed);
    }
    memmove(c->buf, c->buf + head + body, c->len - head - body);
    c->len -= head + body;
  }
}

static void* run(void* unused) {
  int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), ep = epoll_create1(0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(lfd, (struct sockaddr*)&a, sizeof a) || listen(lfd, 4096)) { perror("bind/listen"); exit(1); }
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, evs[256];
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; ++i) {
      struct conn* c = evs[i].data.ptr;
      if (!c) {  /* the listener: accept what is waiting */
        int fd;
        while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          c = calloc(1, sizeof *c);
          c->fd = fd;
          struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
        }
        continue;
      }
      ssize_t r = read(c->fd, c->buf + c->len, kBuf - c->len);
      if (r < 0 && errno == EAGAIN) continue;
      if (r > 0) c->len += (size_t)r;
      if (r <= 0 || serve(c) < 0) { close(c->fd); free(c); }
    }
  }
  return unused;
}

int main(int argc, char** argv) {
  if (argc < 2) { fprintf(stderr, "usage: floor_server PORT [THREADS]\n"); return 2; }
  port = atoi(argv[1]);
  int threads = argc > 2 ? atoi(argv[2]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);  /* the workers inherit the mask; main waits below */
  for (int i = 0; i < threads; ++i) {
    pthread_t t;
    pthread_create(&t, NULL, run, NULL);
  }
  int sig;
  sigwait(&stop, &sig);
  return 0;
}
