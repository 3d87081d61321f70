/*
 * Applies one capability set to every thread of the process.
 *
 * Linux keeps capabilities per thread and capset(2) changes only the calling one, while Deno runs
 * JavaScript next to runtime and V8 threads. Dropping capabilities on the JS thread alone would
 * leave the others privileged, so this library does what glibc does for setuid(2): it signals
 * every thread and each one calls capset on itself from the signal handler.
 *
 * Built by `make` into build/native/libthreadcaps.so and embedded in the single binary;
 * ffi/caps.ts calls threadcaps_apply and then checks every thread's CapEff itself.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* struct __user_cap_header_struct / __user_cap_data_struct for _LINUX_CAPABILITY_VERSION_3. */
struct cap_header {
  uint32_t version;
  int pid;
};
struct cap_data {
  uint32_t effective, permitted, inheritable;
};

static struct cap_header header = {0x20080522, 0};
static struct cap_data data[2];
static volatile int acknowledged;
static volatile int failures;

static void on_signal(int sig) {
  (void)sig;
  int saved = errno;
  if (syscall(SYS_capset, &header, data) != 0) __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
  __atomic_add_fetch(&acknowledged, 1, __ATOMIC_SEQ_CST);
  errno = saved;
}

#define MAX_THREADS 4096

static int seen(const pid_t *tids, int n, pid_t tid) {
  for (int i = 0; i < n; i++)
    if (tids[i] == tid) return 1;
  return 0;
}

/*
 * Sets effective/permitted/inheritable (two 32-bit words each, low word first) on every thread.
 * Returns the number of threads changed, or a negative errno. Threads started meanwhile are
 * picked up by rescanning until a scan finds no new thread.
 */
int threadcaps_apply(const uint32_t *effective, const uint32_t *permitted,
                     const uint32_t *inheritable) {
  for (int i = 0; i < 2; i++) {
    data[i].effective = effective[i];
    data[i].permitted = permitted[i];
    data[i].inheritable = inheritable[i];
  }
  if (syscall(SYS_capset, &header, data) != 0) return -errno;

  /* SIGRTMAX-3: glibc uses the first real-time signals, Deno and V8 use none of these. */
  int signo = SIGRTMAX - 3;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  /* The handler stays installed: a late delivery must not hit the default action (exit). */
  if (sigaction(signo, &sa, NULL) != 0) return -errno;

  pid_t *tids = calloc(MAX_THREADS, sizeof *tids);
  if (tids == NULL) return -ENOMEM;
  pid_t self = (pid_t)syscall(SYS_gettid);
  pid_t pid = getpid();
  int ntids = 0, signalled = 0;
  __atomic_store_n(&acknowledged, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n(&failures, 0, __ATOMIC_SEQ_CST);
  for (int round = 0; round < 20; round++) {
    DIR *d = opendir("/proc/self/task");
    if (d == NULL) {
      free(tids);
      return -errno;
    }
    int added = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
      pid_t tid = (pid_t)atoi(ent->d_name);
      if (tid <= 0 || tid == self || seen(tids, ntids, tid) || ntids == MAX_THREADS) continue;
      tids[ntids++] = tid;
      added++;
      if (syscall(SYS_tgkill, pid, tid, signo) == 0) signalled++;
    }
    closedir(d);
    if (added == 0) break;
    /* Wait for the handlers, up to one second per round. */
    for (int ms = 0; ms < 1000 && __atomic_load_n(&acknowledged, __ATOMIC_SEQ_CST) < signalled;
         ms++) {
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
    }
  }
  free(tids);
  if (__atomic_load_n(&failures, __ATOMIC_SEQ_CST) > 0) return -EPERM;
  return __atomic_load_n(&acknowledged, __ATOMIC_SEQ_CST) + 1;
}
