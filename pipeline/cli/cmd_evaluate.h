/*
 * cmd_evaluate.h — the `firerisk evaluate` command line (argument parsing
 * and printing only; the work is in pipeline/evidence/evaluate.c).  Called
 * by main.c with argv[0] = the command name.
 */
#ifndef FR_CMD_EVALUATE_H
#define FR_CMD_EVALUATE_H

#include <stdio.h>

int fr_cmd_evaluate(int argc, char **argv);

/* The usage lines of the command. */
void fr_cmd_evaluate_usage(FILE *fp);

#endif
