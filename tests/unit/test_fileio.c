/*
 * test_fileio.c - unit tests of bounded reads and atomic writes
 * (src/core/fileio.c): fileio_read_all() with its size limit (exactly at,
 * one over), a missing file (MAMORI_ENOTFOUND), a directory (MAMORI_EIO),
 * standard input; fileio_write_atomic() creating and replacing files without
 * leaving temporary files, writing to standard output, and failing on an
 * unwritable directory or an unreplaceable target with the old content
 * intact; the temp-name / commit / discard trio used by the xlsx writer.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "testutil.h"

/* The state is the test's temporary directory. */
static int setup(void **state)
{
	*state = testutil_mkdtemp("fileio");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	chmod(*state, 0700);
	testutil_rmtree(*state);
	free(*state);
	return 0;
}

static char *path_in(void **state, const char *name)
{
	return xasprintf("%s/%s", (const char *)*state, name);
}

static void put_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void assert_file_is(const char *path, const char *want)
{
	struct mamori_err err = { 0 };
	char *data;
	size_t len;

	ASSERT_RC(0, fileio_read_all(path, 1 << 20, &data, &len, &err), err);
	if (len != strlen(want) || memcmp(data, want, len))
		fail_msg("%s holds \"%s\", want \"%s\"", path, data, want);
	free(data);
}

static void test_read_small(void **state)
{
	static const char content[] = "媒体名\tMAC\n\0binary\xff";
	struct mamori_err err = { 0 };
	char *p = path_in(state, "in.txt"), *data = NULL;
	size_t len = 0;

	put_file(p, content, sizeof(content) - 1);
	ASSERT_RC(0, fileio_read_all(p, 1024, &data, &len, &err), err);
	assert_int_equal(len, sizeof(content) - 1);
	assert_memory_equal(data, content, len);
	assert_int_equal(data[len], '\0');
	free(data);
	free(p);
}

static void test_read_empty(void **state)
{
	struct mamori_err err = { 0 };
	char *p = path_in(state, "empty"), *data = NULL;
	size_t len = 99;

	put_file(p, "", 0);
	ASSERT_RC(0, fileio_read_all(p, 0, &data, &len, &err), err);
	assert_non_null(data);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
	free(p);
}

/* The limit is inclusive; one byte more is MAMORI_EINVAL.  Sizes straddle the
 * reader's 64 KiB chunks. */
static void test_read_limit(void **state)
{
	static const size_t sizes[] = { 1, 100, 65535, 65536, 65537, 200000 };
	char *p = path_in(state, "big");

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct mamori_err err = { 0 };
		char *buf = xmalloc(sizes[i]), *data = (char *)1;
		size_t len = 1;

		for (size_t k = 0; k < sizes[i]; k++)
			buf[k] = (char)('0' + k % 10);
		put_file(p, buf, sizes[i]);

		ASSERT_RC(0, fileio_read_all(p, sizes[i], &data, &len, &err), err);
		assert_int_equal(len, sizes[i]);
		assert_memory_equal(data, buf, len);
		free(data);

		ASSERT_RC(MAMORI_EINVAL, fileio_read_all(p, sizes[i] - 1, &data, &len, &err), err);
		assert_int_equal(err.code, MAMORI_EINVAL);
		assert_null(data);
		assert_int_equal(len, 0);
		if (!strstr(err.msg, p))
			fail_msg("message does not name the file: %s", err.msg);
		free(buf);
	}
	free(p);
}

static void test_read_missing(void **state)
{
	struct mamori_err err = { 0 };
	char *p = path_in(state, "no-such-file.csv"), *data = (char *)1;
	size_t len = 1;

	ASSERT_RC(MAMORI_ENOTFOUND, fileio_read_all(p, 100, &data, &len, &err), err);
	assert_int_equal(err.code, MAMORI_ENOTFOUND);
	assert_null(data);
	if (!strstr(err.msg, p))
		fail_msg("message does not name the file: %s", err.msg);
	free(p);

	/* A missing directory on the way is "not found" too. */
	p = path_in(state, "nodir/file.csv");
	ASSERT_RC(MAMORI_ENOTFOUND, fileio_read_all(p, 100, &data, &len, &err), err);
	free(p);
}

static void test_read_directory(void **state)
{
	struct mamori_err err = { 0 };
	char *data = (char *)1;
	size_t len = 1;

	ASSERT_RC(MAMORI_EIO, fileio_read_all(*state, 100, &data, &len, &err), err);
	assert_null(data);
}

static void test_read_stdin(void **state)
{
	struct mamori_err err = { 0 };
	char *p = path_in(state, "stdin.txt"), *data = NULL;
	size_t len = 0;
	int saved = dup(0);

	put_file(p, "from stdin\n", 11);
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, 0);
	close(fd);
	int r = fileio_read_all("-", 100, &data, &len, &err);
	dup2(saved, 0);
	close(saved);
	ASSERT_RC(0, r, err);
	assert_int_equal(len, 11);
	assert_string_equal(data, "from stdin\n");
	free(data);
	free(p);
}

static void test_write_new_and_replace(void **state)
{
	struct mamori_err err = { 0 };
	char *p = path_in(state, "ledger.csv");

	ASSERT_RC(0, fileio_write_atomic(p, "first version, long\n", 20, &err), err);
	assert_file_is(p, "first version, long\n");
	testutil_assert_dir_is(*state, "ledger.csv");

	/* Shorter content replaces, with no tail of the old one left. */
	ASSERT_RC(0, fileio_write_atomic(p, "v2\n", 3, &err), err);
	assert_file_is(p, "v2\n");
	testutil_assert_dir_is(*state, "ledger.csv");

	ASSERT_RC(0, fileio_write_atomic(p, "", 0, &err), err);
	assert_file_is(p, "");
	testutil_assert_dir_is(*state, "ledger.csv");

	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	free(p);
}

/* The old file is replaced by rename: a reader holding it open keeps the old
 * content (it is never truncated in place). */
static void test_write_is_rename(void **state)
{
	struct mamori_err err = { 0 };
	char *p = path_in(state, "f");
	char buf[16] = { 0 };
	struct stat before, after;

	put_file(p, "old", 3);
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(stat(p, &before), 0);
	ASSERT_RC(0, fileio_write_atomic(p, "new content", 11, &err), err);
	assert_int_equal(stat(p, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 3);
	assert_string_equal(buf, "old");
	close(fd);
	assert_file_is(p, "new content");
	free(p);
}

static void test_write_stdout(void **state)
{
	struct mamori_err err = { 0 };
	char *p = path_in(state, "stdout.txt");
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644), saved = dup(1);

	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	dup2(fd, 1);
	close(fd);
	int r = fileio_write_atomic("-", "to stdout", 9, &err);
	dup2(saved, 1);
	close(saved);
	ASSERT_RC(0, r, err);
	assert_file_is(p, "to stdout");
	/* Nothing but the redirect target appeared. */
	testutil_assert_dir_is(*state, "stdout.txt");
	free(p);
}

/*
 * In a directory the writer may not write to, the write fails with
 * MAMORI_EIO and the old file is untouched.  Tests usually run as root,
 * for whom permissions do not apply, so the attempt is made in a child that
 * drops to an unprivileged user first.
 */
static void test_write_unwritable_dir(void **state)
{
	char *p = path_in(state, "keep.csv");
	int status;

	put_file(p, "old content", 11);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(chmod(*state, 0555), 0);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mamori_err err = { 0 };
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(100);
		int r = fileio_write_atomic(p, "NEW", 3, &err);
		/* The message names the target. */
		_exit(r == MAMORI_EIO && strstr(err.msg, p) ? 0 : 10 - r);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("child: exit %d (100: could not drop privileges; 10-r: returned r)",
			 WEXITSTATUS(status));
	assert_int_equal(chmod(*state, 0700), 0);
	assert_file_is(p, "old content");
	testutil_assert_dir_is(*state, "keep.csv");
	free(p);
}

/* A target that cannot be replaced (a non-empty directory): the rename fails
 * after the temporary file was written, and the temporary file is removed. */
static void test_write_rename_fails(void **state)
{
	struct mamori_err err = { 0 };
	char *p = path_in(state, "target"), *inner = path_in(state, "target/inside");

	assert_int_equal(mkdir(p, 0755), 0);
	put_file(inner, "x", 1);
	ASSERT_RC(MAMORI_EIO, fileio_write_atomic(p, "data", 4, &err), err);
	testutil_assert_dir_is(*state, "target");
	testutil_assert_dir_is(p, "inside");
	assert_file_is(inner, "x");
	free(p);
	free(inner);
}

static void test_temp_commit_discard(void **state)
{
	struct mamori_err err = { 0 };
	char *p = path_in(state, "out.xlsx");
	char *t1 = fileio_temp_name(p);

	/* The temporary name is beside the target. */
	char *prefix = xasprintf("%s.tmp-", p);
	assert_int_equal(strncmp(t1, prefix, strlen(prefix)), 0);
	assert_true(strlen(t1) > strlen(prefix));
	free(prefix);

	put_file(t1, "draft", 5);
	ASSERT_RC(0, fileio_commit_temp(t1, p, &err), err);
	assert_file_is(p, "draft");
	testutil_assert_dir_is(*state, "out.xlsx");

	char *t2 = fileio_temp_name(p);
	put_file(t2, "abandoned", 9);
	fileio_discard_temp(t2);
	testutil_assert_dir_is(*state, "out.xlsx");
	assert_file_is(p, "draft");

	/* Committing a temp file that does not exist fails; the target stays. */
	ASSERT_RC(MAMORI_EIO, fileio_commit_temp(t2, p, &err), err);
	assert_file_is(p, "draft");
	testutil_assert_dir_is(*state, "out.xlsx");
	free(t1);
	free(t2);
	free(p);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_read_small),
		T(test_read_empty),
		T(test_read_limit),
		T(test_read_missing),
		T(test_read_directory),
		T(test_read_stdin),
		T(test_write_new_and_replace),
		T(test_write_is_rename),
		T(test_write_stdout),
		T(test_write_unwritable_dir),
		T(test_write_rename_fails),
		T(test_temp_commit_discard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
