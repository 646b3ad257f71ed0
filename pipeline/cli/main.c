/*
 * main.c — the firerisk command line: the command table and the dispatch.
 * Each command's parsing and help text live in its own cmd_*.c (cli.h);
 * a new command is one row here.
 *
 * Exit codes: 0 ok, 1 usage or configuration, 2 input data, 3 output/IO,
 * 4 internal, 5 output directory locked (base/status.h).
 */
#include <signal.h>
#include <stdio.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string.h>

#include "cli.h"

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const char *const version_options[] = {NULL};
static const fr_cli_command fr_cli_version_cmd = {
    .name = "version", .main = cmd_version, .synopsis = "",
    .summary = "the versions of firerisk, GDAL, GEOS, PROJ and json-c (also firerisk --version, -V)",
    .options = version_options,
};

static const char *const help_options[] = {
    "--man\tprint the man page (roff; installed as firerisk.1)",
    "--completion\tprint the bash completion script (installed as bash-completion/completions/firerisk)",
    NULL};
static const fr_cli_command fr_cli_help_cmd = {
    .name = "help", .main = cmd_help, .synopsis = "[COMMAND] [--man] [--completion]",
    .summary = "this overview, or the help of COMMAND (as firerisk COMMAND --help)",
    .options = help_options,
};

extern const fr_cli_command fr_cli_run, fr_cli_validate, fr_cli_synth, fr_cli_train, fr_cli_backtest, fr_cli_match,
    fr_cli_explain, fr_cli_evaluate;

/* One row per command, in the order the overview lists them. */
const fr_cli_command *const fr_cli_commands[] = {
    &fr_cli_run,
    &fr_cli_validate,
    &fr_cli_synth,
    &fr_cli_train,
    &fr_cli_backtest,
    &fr_cli_match,
    &fr_cli_explain,
    &fr_cli_evaluate,
    &fr_cli_version_cmd,
    &fr_cli_help_cmd,
    NULL,
};

static int cmd_version(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fr_cli_help(&fr_cli_version_cmd, stdout);
        return 0;
    }
    if (argc > 1)
        return fr_cli_usage_error(&fr_cli_version_cmd, "version takes no argument ('%s')", argv[1]);
    fr_cli_version(stdout);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        fr_cli_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--man")) {
        fr_cli_man_page(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--completion")) {
        fr_cli_bash_completion(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fr_cli_help(&fr_cli_help_cmd, stdout);
        return 0;
    }
    const fr_cli_command *cmd = fr_cli_find(argv[1]);
    if (!cmd)
        return fr_cli_usage_error(&fr_cli_help_cmd, "help: unknown command '%s'", argv[1]);
    fr_cli_help(cmd, stdout);
    return 0;
}

/* Memory a stage frees stays in the process for the next stage.  Why: by
 * default glibc gives every allocation over a few MB its own mmap and
 * returns it at free; the kernel clears it again for the next stage, and
 * on a VM whose guest hands free memory back to its host (free page
 * reporting, docs/PROFILE.md) the next touch also waits for the host.  A
 * 5M-parcel run freed and claimed again about 2.2 GB that way (5.3 GB of
 * new pages for a 3.1 GB peak).  Kept in the heap: 3.0 GB, the write stage
 * 1-2 s shorter, and the 1M run unchanged.  The cost: the heap does not
 * shrink until the process ends, which for a batch command is when its
 * memory would be returned anyway. */
static void keep_freed_memory(void)
{
#if defined(__GLIBC__)
    (void)mallopt(M_MMAP_MAX, 0);        /* large blocks from the heap too */
    (void)mallopt(M_TRIM_THRESHOLD, -1); /* -1: never trim (mallopt(3)) */
#endif
}

int main(int argc, char **argv)
{
    keep_freed_memory();
    /* A file-size limit (ulimit -f) must fail the write with EFBIG, which
     * the writers report (exit 3), instead of killing the process. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        fr_cli_error("a command is needed");
        fr_cli_usage(stderr);
        return 1;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version") || !strcmp(name, "-V"))
        return cmd_version(1, argv + 1);
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        return cmd_help(1, argv + 1);
    const fr_cli_command *cmd = fr_cli_find(name);
    if (cmd)
        return cmd->main(argc - 1, argv + 1);
    const char *names[64];
    size_t n = 0;
    for (const fr_cli_command *const *c = fr_cli_commands; *c && n < 64; c++)
        names[n++] = (*c)->name;
    const char *near = fr_cli_closest(name, names, n);
    if (near)
        fr_cli_error("unknown command '%s' (did you mean '%s'?); see 'firerisk help'", name, near);
    else
        fr_cli_error("unknown command '%s'; see 'firerisk help'", name);
    return 1;
}
