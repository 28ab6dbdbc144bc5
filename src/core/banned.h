/*
 * banned.h - functions that must not be used in mamori.
 *
 * Each is redefined to an undeclared identifier so that any use is a compile
 * error.  Use snprintf / strbuf / xstrdup / strtol-based parsers instead.
 * Included last by common.h, after the system headers that declare them.
 */
#ifndef MAMORI_BANNED_H
#define MAMORI_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef gets
#define gets(x) BANNED(gets)

#endif
