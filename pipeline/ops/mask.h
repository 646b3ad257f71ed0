/*
 * mask.h — secrets out of anything firerisk writes down: connection
 * strings in messages, the config text in the run manifest.
 *
 * Masked: the value after password=, pwd=, passwd= (any case, quoted or
 * not: PostgreSQL, ODBC and MS SQL connection strings) and the password of
 * a URI (scheme://user:SECRET@host).  Each masked value becomes "***", so
 * the length of a password is not given away either.
 */
#ifndef FR_MASK_H
#define FR_MASK_H

/* malloc'd copy of text with the secrets masked; NULL if out of memory. */
char *fr_mask_secrets(const char *text);

#endif
