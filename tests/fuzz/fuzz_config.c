/*
 * fuzz_config.c — libFuzzer target: the YAML config loader (libyaml +
 * pipeline/config/) on arbitrary bytes.  The bytes go into a memfd so the loader
 * reads them through its normal path (stat, size limit, fopen).
 * Invariant: it returns a status and frees everything; a failure carries a
 * message naming the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.yaml", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    fr_config cfg;
    fr_error err = {0};
    fr_status st = fr_config_load(path, &cfg, &err);
    if (st == FR_OK)
        fr_config_free(&cfg);
    else if (!strstr(err.message, path) && st != FR_E_MEMORY)
        abort(); /* every config error names the file */
    close(fd);
    return 0;
}
