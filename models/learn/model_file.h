/*
 * model_file.h — trained models as versioned JSON files (docs/MODELS.md):
 * the features (in order), the scaling and coefficients or the trees, the
 * training window and settings, and the validation metrics.
 *
 * JSON through json-c (Debian libjson-c-dev), which prints doubles with 17
 * significant digits, so a model read back scores the same bits.  Reading
 * checks everything a scorer relies on (format and version, every number
 * finite, tree links in range and acyclic) and refuses a corrupt or foreign
 * file with a message naming the file and what is wrong, before any parcel
 * is scored.
 */
#ifndef MODEL_FILE_H
#define MODEL_FILE_H

#include "status.h"
#include "train_model.h"

#define MODEL_FILE_FORMAT "firerisk-model"
#define MODEL_FILE_VERSION 1

/* Writes m to path through a temporary file renamed into place. */
fr_status model_file_write(const char *path, const model_trained *m, fr_error *err);

/* Reads a model written by model_file_write.  On failure *m is empty and
 * err (FR_E_INPUT) names the file and the problem. */
fr_status model_file_read(const char *path, model_trained *m, fr_error *err);

#endif
