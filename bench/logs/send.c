/*
 * send.c - sends a file of syslog lines over one TCP connection with RFC 6587
 * octet-counting framing ("LEN SP MSG"), as fast as the receiver takes
 * them, for bench/logs/run.sh.  Prints the number of messages and seconds.
 *
 * Usage: send HOST PORT FILE
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static char out[1 << 20];
	size_t used = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long count = 0;
	struct timespec a, b;
	FILE *f;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: send HOST PORT FILE\n");
		return 2;
	}
	f = fopen(argv[3], "r");
	if (!f) {
		perror(argv[3]);
		return 3;
	}
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		return 3;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			len--;
		if (used + (size_t)len + 16 > sizeof(out)) {
			if (write_all(fd, out, used) < 0) {
				perror("write");
				return 3;
			}
			used = 0;
		}
		used += (size_t)snprintf(out + used, 16, "%zd ", len);
		memcpy(out + used, line, (size_t)len);
		used += (size_t)len;
		count++;
	}
	if (used && write_all(fd, out, used) < 0) {
		perror("write");
		return 3;
	}
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%ld %.3f\n", count, (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	free(line);
	fclose(f);
	return 0;
}
