/*
 * source_files.c — the files behind an input source (see source_files.h).
 */
#include "source_files.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_string.h>
#include <gdal.h>

#include "gdal_gate.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int geo_source_is_path(const char *source)
{
    return strchr(source, ':') == NULL && strncmp(source, "/vsi", 4) != 0;
}

static const char *file_kind(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO (named pipe)" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
         : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

static fr_status check_one(const char *path, const char *where, fr_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode))
        return FR_OK;
    return fr_error_set(err, FR_E_INPUT,
                        "%s: is %s, not a regular file or directory; refused without opening it (reading it could "
                        "block the run) (%s)",
                        path, file_kind(sb.st_mode), where);
}

fr_status geo_source_check_kind(const char *source, const char *where, fr_error *err)
{
    if (!geo_source_is_path(source))
        return FR_OK;
    fr_status st = check_one(source, where, err);
    size_t n = strlen(source);
    if (st != FR_OK || n < 4 || strcasecmp(source + n - 4, ".shp") != 0)
        return st;
    /* GDAL opens a Shapefile's side files too */
    static const char *const sides[] = {".dbf", ".DBF", ".shx", ".SHX", ".prj", ".PRJ", ".cpg", ".CPG"};
    for (size_t i = 0; i < sizeof sides / sizeof *sides && st == FR_OK; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%.*s%s", (int)(n - 4), source, sides[i]);
        st = check_one(path, where, err);
    }
    return st;
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
