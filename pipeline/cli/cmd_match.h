/*
 * cmd_match.h — the `firerisk match` command line (cmd_match.c).  Called
 * by main.c with argv[0] = the command name.
 */
#ifndef FR_CMD_MATCH_H
#define FR_CMD_MATCH_H

#include <stdio.h>

int fr_cmd_match(int argc, char **argv);
void fr_cmd_match_usage(FILE *fp);

#endif
