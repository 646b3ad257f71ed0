/*
 * cmd_explain.h — the `firerisk explain` command line (argument parsing and
 * printing only; the work is in pipeline/run/run_explain.c).  Called by
 * main.c with argv[0] = the command name.
 */
#ifndef FR_CMD_EXPLAIN_H
#define FR_CMD_EXPLAIN_H

#include <stdio.h>

int fr_cmd_explain(int argc, char **argv);

/* The usage lines of the command. */
void fr_cmd_explain_usage(FILE *fp);

#endif
