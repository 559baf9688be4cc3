/* One flood sender for bench/flood.py: token-less datagrams to local ports at a paced rate, with sendmmsg(2).
 *
 *   flood_sender DATAGRAMS_FILE RATE SECONDS START_AT PORT [PORT ...]
 *
 * DATAGRAMS_FILE holds the datagrams to cycle through, each as a 4-byte little-endian length then its bytes.
 * RATE is datagrams per second, SECONDS the flood's length, START_AT the wall-clock start (seconds since the
 * epoch, as Python's time.time()). Datagrams go round-robin to 127.0.0.1:PORT..., in batches every
 * millisecond. Prints the number sent. A sender in C costs a small fraction of a core at 60k datagrams/s, so on
 * a machine with few cores the flood measures what the sidecar and hosts do under it rather than what the
 * senders' own CPU use takes from them. Linux only (sendmmsg). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_DGRAMS 64
#define MAX_PORTS 16
#define BATCH 256

static double now_wall(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static double now_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: flood_sender DATAGRAMS_FILE RATE SECONDS START_AT PORT [PORT ...]\n");
        return 2;
    }
    static unsigned char data[MAX_DGRAMS][2048];
    static uint32_t lens[MAX_DGRAMS];
    int n_dgrams = 0;
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    while (n_dgrams < MAX_DGRAMS) {
        unsigned char hdr[4];
        if (fread(hdr, 1, 4, f) != 4) break;
        uint32_t len = hdr[0] | (hdr[1] << 8) | (hdr[2] << 16) | ((uint32_t)hdr[3] << 24);
        if (len > sizeof data[0] || fread(data[n_dgrams], 1, len, f) != len) {
            fprintf(stderr, "%s: datagram %d is truncated or longer than 2048 bytes\n", argv[1], n_dgrams);
            return 2;
        }
        lens[n_dgrams++] = len;
    }
    fclose(f);
    if (n_dgrams == 0) { fprintf(stderr, "%s: no datagrams\n", argv[1]); return 2; }
    double rate = atof(argv[2]), seconds = atof(argv[3]), start_at = atof(argv[4]);
    int n_ports = argc - 5 > MAX_PORTS ? MAX_PORTS : argc - 5;
    struct sockaddr_in addrs[MAX_PORTS];
    for (int i = 0; i < n_ports; i++) {
        memset(&addrs[i], 0, sizeof addrs[i]);
        addrs[i].sin_family = AF_INET;
        addrs[i].sin_port = htons((uint16_t)atoi(argv[5 + i]));
        addrs[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in self;
    memset(&self, 0, sizeof self);
    self.sin_family = AF_INET;
    self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (sock < 0 || bind(sock, (struct sockaddr *)&self, sizeof self) < 0) { perror("socket"); return 2; }

    static struct mmsghdr msgs[BATCH];
    static struct iovec iovs[BATCH];
    while (now_wall() < start_at) usleep(500);
    double begin = now_mono();
    long long count = 0;
    for (;;) {
        double elapsed = now_mono() - begin;
        if (elapsed >= seconds) break;
        long long due = (long long)(elapsed * rate) + 1;
        while (count < due) {
            int n = due - count > BATCH ? BATCH : (int)(due - count);
            for (int i = 0; i < n; i++) {
                long long k = count + i;
                iovs[i].iov_base = data[k % n_dgrams];
                iovs[i].iov_len = lens[k % n_dgrams];
                memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
                msgs[i].msg_hdr.msg_name = &addrs[k % n_ports];
                msgs[i].msg_hdr.msg_namelen = sizeof addrs[0];
                msgs[i].msg_hdr.msg_iov = &iovs[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
            }
            int sent = sendmmsg(sock, msgs, (unsigned)n, 0);
            /* an ICMP error of an earlier datagram may surface here: count the batch as attempted, go on */
            count += sent > 0 ? sent : n;
        }
        usleep(1000);
    }
    printf("%lld\n", count);
    close(sock);
    return 0;
}
