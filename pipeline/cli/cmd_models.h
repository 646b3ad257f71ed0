/*
 * cmd_models.h — the `firerisk train` and `firerisk backtest` command
 * lines (argument parsing and printing only; the work is in train.c and
 * backtest.c).  Called by main.c with argv[0] = the command name.
 */
#ifndef FR_CMD_MODELS_H
#define FR_CMD_MODELS_H

#include <stdio.h>

int fr_cmd_train(int argc, char **argv);
int fr_cmd_backtest(int argc, char **argv);

/* The usage lines of both commands. */
void fr_cmd_models_usage(FILE *fp);

#endif
