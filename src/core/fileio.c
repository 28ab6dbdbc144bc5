/*
 * fileio.c - bounded whole-file reads and atomic writes (see fileio.h).
 */
#include "common.h"
#include "fileio.h"
#include "strbuf.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

int fileio_read_all(const char *path, size_t max, char **data, size_t *len,
		    struct mamori_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	int fd, r = 0;

	*data = NULL;
	*len = 0;
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return mamori_err_set(err, errno == ENOENT ? MAMORI_ENOTFOUND : MAMORI_EIO,
				      "%s: ファイルを開けません: %s", path, strerror(errno));
	for (;;) {
		strbuf_grow(&sb, 65536);
		ssize_t n = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (n < 0) {
			if (errno == EINTR && !mamori_interrupted)
				continue;
			r = mamori_err_set(err, MAMORI_EIO, "%s: 読み込めません: %s", path,
					   strerror(errno));
			break;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = '\0';
		if (sb.len > max) {
			r = mamori_err_set(err, MAMORI_EINVAL,
					   "%s: ファイルが大きすぎます (上限 %zu MiB)", path,
					   max >> 20);
			break;
		}
	}
	if (fd != 0)
		close(fd);
	if (r < 0) {
		strbuf_release(&sb);
		return r;
	}
	*data = strbuf_detach(&sb, len);
	return 0;
}

char *fileio_temp_name(const char *path)
{
	char *tmp = xasprintf("%s.tmp-XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);

	/* The file exists now (mode 0600), so the name cannot be taken by
	 * someone else; the writer opens it again by name.  When it cannot be
	 * created, the writer's own open reports why. */
	if (fd >= 0)
		close(fd);
	return tmp;
}

static int sync_dir_of(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

int fileio_commit_temp(const char *tmp, const char *path, struct mamori_err *err)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return mamori_err_set(err, MAMORI_EIO, "%s: 書き込めません: %s", path, strerror(e));
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return mamori_err_set(err, MAMORI_EIO, "%s: 書き込めません: %s", path, strerror(e));
	}
	sync_dir_of(path);
	return 0;
}

void fileio_discard_temp(const char *tmp)
{
	unlink(tmp);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fileio_write_atomic(const char *path, const void *data, size_t len, struct mamori_err *err)
{
	char *tmp;
	int fd;

	if (!strcmp(path, "-")) {
		if (write_all(1, data, len) < 0)
			return mamori_err_set(err, MAMORI_EIO, "標準出力に書き込めません: %s",
					      strerror(errno));
		return 0;
	}
	tmp = xasprintf("%s.tmp-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0)
		fchmod(fd, 0644);
	if (fd < 0) {
		int r = mamori_err_set(err, MAMORI_EIO, "%s: 書き込めません: %s", path,
				       strerror(errno));
		free(tmp);
		return r;
	}
	if (write_all(fd, data, len) < 0 || close(fd) < 0) {
		int r = mamori_err_set(err, MAMORI_EIO, "%s: 書き込めません: %s", path,
				       strerror(errno));
		unlink(tmp);
		free(tmp);
		return r;
	}
	int r = fileio_commit_temp(tmp, path, err);
	free(tmp);
	return r;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void fileio_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int fileio_list_dir(const char *dir, const char *suffix, size_t max, char ***names, size_t *n,
		    struct mamori_err *err)
{
	size_t sl = strlen(suffix), alloc = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	*names = NULL;
	*n = 0;
	if (!d)
		return mamori_err_set(err, errno == ENOENT ? MAMORI_ENOTFOUND : MAMORI_EIO,
				      "%s: ディレクトリを開けません: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len <= sl || strcmp(de->d_name + len - sl, suffix))
			continue;
		if (*n == max) {
			closedir(d);
			fileio_names_free(*names, *n);
			*names = NULL;
			*n = 0;
			return mamori_err_set(err, MAMORI_EINVAL, "%s: ファイルが多すぎます (上限 %zu 個)",
					      dir, max);
		}
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			*names = xrealloc(*names, alloc * sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_name);
	return 0;
}
