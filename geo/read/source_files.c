/*
 * source_files.c — the files behind an input source (see source_files.h).
 */
#include "source_files.h"

#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>
#include <gdal.h>

#include "gdal_gate.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

fr_status geo_source_files(const char *source, const char *const *open_options, char ***files, size_t *n,
                           fr_error *err)
{
    *files = NULL;
    *n = 0;
    /* A source GDAL cannot open has no files to list: the reader says why. */
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    GDALDatasetH ds = GDALOpenEx(source, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, open_options, NULL);
    char **list = ds ? GDALGetFileList(ds) : NULL;
    if (ds)
        GDALClose(ds);
    geo_gdal_gate_end_quiet(&gate);
    int m = CSLCount(list);
    fr_status st = FR_OK;
    if (m > 0) {
        *files = calloc((size_t)m, sizeof **files);
        if (!*files)
            st = fr_error_oom_while(err, "listing the files of %s", source);
        for (int i = 0; st == FR_OK && i < m; i++) {
            if (!((*files)[i] = strdup(list[i])))
                st = fr_error_oom_while(err, "listing the files of %s", source);
            else
                (*n)++;
        }
        if (st == FR_OK)
            qsort(*files, *n, sizeof **files, cmp_str);
    }
    CSLDestroy(list);
    if (st != FR_OK) {
        geo_source_files_free(*files, *n);
        *files = NULL;
        *n = 0;
    }
    return st;
}

void geo_source_files_free(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}
