/* unit.h — the unit-test harness: CHECK records a failure and goes on; each test binary's
 * main() calls its tests through RUN and ends with `return unit_report("name")`, which prints
 * "name: N passed, M failed" (tests: a test fails when any of its checks does) and returns
 * the exit status. */
#ifndef APIGWD_UNIT_H
#define APIGWD_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;   /* checks */
static int tests_passed, tests_failed; /* tests */

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond)                                                                          \
			unit_passed++;                                                             \
		else {                                                                             \
			unit_failed++;                                                             \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__,       \
				__func__, #cond);                                                  \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (a_ && b_ && strcmp(a_, b_) == 0)                                               \
			unit_passed++;                                                             \
		else {                                                                             \
			unit_failed++;                                                             \
			fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__,       \
				__func__, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                 \
		}                                                                                  \
	} while (0)

#define RUN(test)                                                                                  \
	do {                                                                                       \
		int before_ = unit_failed;                                                         \
		test();                                                                            \
		if (unit_failed == before_)                                                        \
			tests_passed++;                                                            \
		else                                                                               \
			tests_failed++;                                                            \
	} while (0)

static inline int unit_report(const char *name)
{
	printf("%s: %d passed, %d failed (%d checks)\n", name, tests_passed, tests_failed,
	       unit_passed + unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
