/*
 * config_fixture.h — what the configuration tests (test_config*.c) share: a
 * temporary directory for the group (setup / teardown for
 * cmocka_run_group_tests) and load_text, which writes a YAML text to
 * c.yaml in it and loads it with fr_config_load.  Include after cmocka.h.
 */
#ifndef TEST_CONFIG_FIXTURE_H
#define TEST_CONFIG_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "config.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/fr_cfg_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static fr_status load_text(const char *text, fr_config *cfg, fr_error *err)
{
    char path[256];
    snprintf(path, sizeof path, "%s/c.yaml", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return fr_config_load(path, cfg, err);
}

#endif
