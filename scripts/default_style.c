/*
 * default_style.c — writes firerisk's QGIS style (the QML every run writes
 * beside its ranked layers, with the default tiers of score.tiers) to the
 * path given, for `cmake --install`: analysts apply it to the tables of
 * output.postgis, which carry no style of their own.
 *
 *   default_style OUT.qml
 */
#include <stdio.h>

#include "style_qml.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: default_style OUT.qml\n");
        return 1;
    }
    /* the defaults of score.tiers (docs/CONFIG.md): high 5%, medium to 20% */
    fr_style_options so = {.tier_high = 0.05, .tier_medium = 0.20, .has_address = 1};
    fr_error err = {0};
    if (fr_style_write_qml(&so, argv[1], &err) != FR_OK) {
        fprintf(stderr, "default_style: %s\n", err.message);
        return 3;
    }
    return 0;
}
