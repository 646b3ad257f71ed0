/*
 * fuzz_target.h — the libFuzzer entry points every tests/fuzz/fuzz_*.c
 * defines (and replay.c calls in the gcc build).
 */
#ifndef FR_FUZZ_TARGET_H
#define FR_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#endif
