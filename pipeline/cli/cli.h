/*
 * cli.h — what every command of the firerisk executable shares: its row in
 * the command table (name, entry point and help text), the per-command
 * help, "did you mean" suggestions and the one `firerisk: error:` prefix.
 *
 * A new command is one file pipeline/cli/cmd_NAME.c defining a
 * `const fr_cli_command fr_cli_NAME` (its help text lives beside its code)
 * and one row in the table of main.c.  `firerisk NAME --help`,
 * `firerisk help NAME`, the man page (docs/firerisk.1) and the bash
 * completion are all printed from that row, so they cannot disagree.
 */
#ifndef FR_CLI_H
#define FR_CLI_H

#include <getopt.h>
#include <stdio.h>

typedef struct fr_cli_command {
    const char *name;
    /* argv[0] is the command name; returns the exit code. */
    int (*main)(int argc, char **argv);
    /* The arguments after "firerisk NAME", e.g. "--config FILE.yaml [--out DIR]". */
    const char *synopsis;
    /* One line: what the command does. */
    const char *summary;
    /* More text for `--help` and the man page (may be NULL). */
    const char *description;
    /* NULL-terminated rows "--option VALUE\tmeaning" (--help is implied). */
    const char *const *options;
} fr_cli_command;

/* The command table of main.c, NULL-terminated. */
extern const fr_cli_command *const fr_cli_commands[];

/* The row of a command, or NULL. */
const fr_cli_command *fr_cli_find(const char *name);

/* `firerisk NAME --help`: synopsis, description and options on fp. */
void fr_cli_help(const fr_cli_command *cmd, FILE *fp);

/* The global usage: every command's synopsis and summary, exit codes. */
void fr_cli_usage(FILE *fp);

/* Prints "firerisk: error: MESSAGE" (the one prefix of every error) on
 * stderr. */
void fr_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error of cmd: the message and a pointer to `firerisk CMD --help`;
 * returns 1 (the usage exit code). */
int fr_cli_usage_error(const fr_cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The message for getopt_long's return c ('?' unknown option, ':' missing
 * value) of cmd into buf, with a "did you mean" when an option is close.
 * The option string passed to getopt_long must start with ':' and opterr
 * be 0, so that getopt prints nothing itself. */
void fr_cli_option_message(char *buf, size_t size, const struct option *opts, int c, int argc, char **argv);

/* fr_cli_option_message printed as a usage error of cmd; returns 1. */
int fr_cli_bad_option(const fr_cli_command *cmd, const struct option *opts, int c, int argc, char **argv);

/* The closest of the NULL-terminated names to word (edit distance at most a
 * third of its length, at least 1 and at most 3), or NULL. */
const char *fr_cli_closest(const char *word, const char *const *names, size_t n);

/* "firerisk X.Y.Z" and the versions of GDAL, GEOS, PROJ and json-c. */
void fr_cli_version(FILE *fp);

/* The man page (roff) and the bash completion script, from the table. */
void fr_cli_man_page(FILE *fp);
void fr_cli_bash_completion(FILE *fp);

/* A whole number in [min, max] from s: 0, else -1. */
int fr_cli_parse_long(const char *s, long min, long max, long *out);

#endif
