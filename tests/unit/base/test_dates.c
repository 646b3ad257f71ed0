/*
 * test_dates.c — calendar arithmetic and text date parsing (base/dates.c;
 * the as-of windows of the features are in models/test_feature_windows.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dates.h"

static int32_t D(int y, int m, int d)
{
    return fr_days_from_civil(y, m, d);
}

static void civil_round_trip(void **state)
{
    (void)state;
    assert_int_equal(D(1970, 1, 1), 0);
    assert_int_equal(D(2000, 3, 1) - D(2000, 2, 28), 2); /* 2000 is a leap year */
    assert_int_equal(D(1900, 3, 1) - D(1900, 2, 28), 1); /* 1900 is not */
    for (int32_t d = D(1850, 1, 1); d < D(2100, 1, 1); d += 17) {
        int y, m, dd;
        fr_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(D(y, m, dd), d);
    }
}

static void parse_formats(void **state)
{
    (void)state;
    int32_t d;
    assert_int_equal(fr_parse_date("2021-03-04", NULL, &d), 0);
    assert_int_equal(d, D(2021, 3, 4));
    assert_int_equal(fr_parse_date(" 2021/03/04 ", NULL, &d), 0);
    assert_int_equal(d, D(2021, 3, 4));
    assert_int_equal(fr_parse_date("20210304", NULL, &d), 0);
    assert_int_equal(d, D(2021, 3, 4));
    assert_int_equal(fr_parse_date("2021-03-04T13:45:00Z", NULL, &d), 0);
    assert_int_equal(d, D(2021, 3, 4));
    assert_int_equal(fr_parse_date("3/4/2021", NULL, &d), 0); /* US month first */
    assert_int_equal(d, D(2021, 3, 4));
    assert_int_equal(fr_parse_date("1/16/09", NULL, &d), 0); /* Red Cross export style */
    assert_int_equal(d, D(2009, 1, 16));
    assert_int_equal(fr_parse_date("12/31/99", NULL, &d), 0);
    assert_int_equal(d, D(1999, 12, 31));
    assert_int_equal(fr_parse_date("04.03.2021", "%d.%m.%Y", &d), 0);
    assert_int_equal(d, D(2021, 3, 4));
}

static void parse_rejects_bad_dates(void **state)
{
    (void)state;
    int32_t d = 0;
    assert_int_equal(fr_parse_date("", NULL, &d), -1);
    assert_int_equal(fr_parse_date("2021-02-30", NULL, &d), -1);
    assert_int_equal(fr_parse_date("2021-13-01", NULL, &d), -1);
    assert_int_equal(fr_parse_date("0000-01-01", NULL, &d), -1);
    assert_int_equal(fr_parse_date("yesterday", NULL, &d), -1);
    assert_int_equal(fr_parse_date("2021-03-04 junk", NULL, &d), -1);
    assert_int_equal(fr_parse_date(NULL, NULL, &d), -1);
}

static void minus_years_clamps_leap_day(void **state)
{
    (void)state;
    assert_int_equal(fr_days_minus_years(D(2024, 2, 29), 1), D(2023, 2, 28));
    assert_int_equal(fr_days_minus_years(D(2024, 2, 29), 4), D(2020, 2, 29));
    assert_int_equal(fr_days_minus_years(D(2025, 6, 15), 3), D(2022, 6, 15));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(civil_round_trip),        cmocka_unit_test(parse_formats),
        cmocka_unit_test(parse_rejects_bad_dates), cmocka_unit_test(minus_years_clamps_leap_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
