/*
 * cli.c — what the commands share (see cli.h): help printed from the
 * command table, the man page and the bash completion printed from the same
 * rows, "did you mean" suggestions, and the one error prefix.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "gdal_versions.h"

static const char exit_codes[] =
    "0 ok, 1 usage/configuration, 2 input data, 3 output/IO, 4 internal,\n"
    "5 output directory locked by another run, 6 run held by a quality check (published with --accept)";

const fr_cli_command *fr_cli_find(const char *name)
{
    for (const fr_cli_command *const *c = fr_cli_commands; *c; c++)
        if (!strcmp((*c)->name, name))
            return *c;
    return NULL;
}

/* The option's name in a row "--name VALUE\tmeaning" into buf. */
static const char *option_name(const char *row, char *buf, size_t size)
{
    size_t n = strcspn(row, " \t");
    snprintf(buf, size, "%.*s", (int)n, row);
    return buf;
}

/* The option's value in a row ("VALUE"), or "" for a flag. */
static const char *option_value(const char *row, char *buf, size_t size)
{
    size_t n = strcspn(row, " \t");
    size_t m = row[n] == ' ' ? strcspn(row + n + 1, "\t") : 0;
    snprintf(buf, size, "%.*s", (int)m, row + n + (m ? 1 : 0));
    return buf;
}

static const char *option_meaning(const char *row)
{
    const char *t = strchr(row, '\t');
    return t ? t + 1 : "";
}

/* text from column `at` (already there) to `width`, continuation lines
 * indented by `indent`, words never split; ends with a newline. */
static void wrap(FILE *fp, const char *text, int at, int indent, int width)
{
    int col = at;
    while (*text) {
        int n = (int)strcspn(text, " ");
        if (col > indent && col + 1 + n > width) {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', fp);
            col++;
        }
        fprintf(fp, "%.*s", n, text);
        col += n;
        text += n;
        while (*text == ' ')
            text++;
    }
    fputc('\n', fp);
}

#define HELP_WIDTH 100
#define OPTION_COLUMN 28

void fr_cli_help(const fr_cli_command *cmd, FILE *fp)
{
    int at = fprintf(fp, "usage: firerisk %s ", cmd->name);
    wrap(fp, cmd->synopsis, at, at, HELP_WIDTH);
    fputc('\n', fp);
    wrap(fp, cmd->summary, 0, 0, HELP_WIDTH);
    if (cmd->description) {
        fputc('\n', fp);
        wrap(fp, cmd->description, 0, 0, HELP_WIDTH);
    }
    fprintf(fp, "\noptions:\n");
    for (const char *const *o = cmd->options; o && *o; o++) {
        const char *tab = strchr(*o, '\t');
        int w = tab ? (int)(tab - *o) : (int)strlen(*o);
        if (w <= OPTION_COLUMN - 4)
            fprintf(fp, "  %-*.*s", OPTION_COLUMN - 2, w, *o);
        else
            fprintf(fp, "  %.*s\n%*s", w, *o, OPTION_COLUMN, "");
        wrap(fp, option_meaning(*o), OPTION_COLUMN, OPTION_COLUMN, HELP_WIDTH);
    }
    fprintf(fp, "  %-*s%s\n", OPTION_COLUMN - 2, "-h, --help", "this help");
    fprintf(fp, "\nexit codes: %s\n", exit_codes);
}

void fr_cli_usage(FILE *fp)
{
    fprintf(fp, "usage: firerisk COMMAND [OPTIONS]   (firerisk COMMAND --help for its options)\n\ncommands:\n");
    for (const fr_cli_command *const *c = fr_cli_commands; *c; c++)
        fprintf(fp, "  %-9s %s\n", (*c)->name, (*c)->summary);
    fprintf(fp, "\n  -V, --version  the versions of firerisk, GDAL, GEOS, PROJ and json-c\n"
                "\nexit codes: %s\n",
            exit_codes);
}

static void verror(const char *fmt, va_list ap)
{
    fputs("firerisk: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void fr_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
}

int fr_cli_usage_error(const fr_cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
    fprintf(stderr, "(see 'firerisk %s --help')\n", cmd->name);
    return 1;
}

/* Edit distance with adjacent transpositions ("rnu" is one edit from
 * "run"): the optimal string alignment distance.  Names are short. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

const char *fr_cli_closest(const char *word, const char *const *names, size_t n)
{
    size_t limit = strlen(word) / 3;
    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(word, names[i]);
        /* a prefix of a longer name ("--thread" of "--threads") is close too */
        if (d > 1 && strlen(word) >= 3 && !strncmp(names[i], word, strlen(word)))
            d = 1;
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

void fr_cli_option_message(char *buf, size_t size, const struct option *opts, int c, int argc, char **argv)
{
    /* getopt_long has advanced optind past the offending word */
    const char *word = optind - 1 < argc && optind >= 1 ? argv[optind - 1] : "?";
    char shortopt[3] = {'-', (char)optopt, '\0'};
    if (optopt && word[0] == '-' && word[1] != '-')
        word = shortopt; /* a short option, perhaps inside a cluster */
    if (c == ':') {
        snprintf(buf, size, "option '%s' needs a value", word);
        return;
    }
    char name[64];
    size_t n = strcspn(word, "=");
    snprintf(name, sizeof name, "%.*s", (int)(n < 60 ? n : 60), word);
    const char *names[64];
    char longs[64][40];
    size_t k = 0;
    for (const struct option *o = opts; o->name && k < 64; o++, k++) {
        snprintf(longs[k], sizeof longs[k], "--%s", o->name);
        names[k] = longs[k];
    }
    const char *near = name[0] == '-' && name[1] == '-' ? fr_cli_closest(name, names, k) : NULL;
    if (near)
        snprintf(buf, size, "unknown option '%s' (did you mean '%s'?)", name, near);
    else
        snprintf(buf, size, "unknown option '%s'", name);
}

int fr_cli_bad_option(const fr_cli_command *cmd, const struct option *opts, int c, int argc, char **argv)
{
    char msg[256];
    fr_cli_option_message(msg, sizeof msg, opts, c, argc, argv);
    return fr_cli_usage_error(cmd, "%s: %s", cmd->name, msg);
}

void fr_cli_version(FILE *fp)
{
    geo_versions v;
    geo_versions_get(&v);
    fprintf(fp, "firerisk %s\nGDAL %s, GEOS %s, PROJ %s, json-c %s\n", FIRERISK_VERSION, v.gdal, v.geos, v.proj,
            json_c_version());
}

int fr_cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* ---- man page ------------------------------------------------------------ */

/* roff text: backslashes doubled, '-' as \-, a leading '.' or '\'' escaped. */
static void roff(FILE *fp, const char *s, int bold)
{
    if (bold)
        fputs("\\fB", fp);
    int bol = 1;
    for (; *s; s++) {
        if (bol && (*s == '.' || *s == '\''))
            fputs("\\&", fp);
        if (*s == '\\')
            fputs("\\e", fp);
        else if (*s == '-')
            fputs("\\-", fp);
        else
            fputc(*s, fp);
        bol = *s == '\n';
    }
    if (bold)
        fputs("\\fR", fp);
}

void fr_cli_man_page(FILE *fp)
{
    fprintf(fp, ".\\\" Generated by `firerisk help --man` from the command table (pipeline/cli/);\n"
                ".\\\" the test docs.man_page fails when this copy differs.\n"
                ".TH FIRERISK 1 \"\" \"firerisk %s\" \"User Commands\"\n"
                ".SH NAME\nfirerisk \\- rank every home of a city by fire risk for inspections and smoke alarms\n"
                ".SH SYNOPSIS\n",
            FIRERISK_VERSION);
    for (const fr_cli_command *const *c = fr_cli_commands; *c; c++) {
        fprintf(fp, ".B firerisk %s\n", (*c)->name);
        if ((*c)->synopsis[0]) {
            roff(fp, (*c)->synopsis, 0);
            fputc('\n', fp);
        }
        fputs(".br\n", fp);
    }
    fputs(".B firerisk\n\\-\\-version | \\-V\n.SH DESCRIPTION\n", fp);
    roff(fp,
         "firerisk reads a fire department's layers (parcels, inspections, incidents, block groups, stations) "
         "from any source GDAL reads, joins them, scores and ranks every parcel, and writes ranked maps and an "
         "inspection target list. Every command takes --help.",
         0);
    fputs("\n.SH COMMANDS\n", fp);
    for (const fr_cli_command *const *c = fr_cli_commands; *c; c++) {
        fprintf(fp, ".SS firerisk %s\n", (*c)->name);
        roff(fp, (*c)->summary, 0);
        fputc('\n', fp);
        if ((*c)->description) {
            fputs(".PP\n", fp);
            roff(fp, (*c)->description, 0);
            fputc('\n', fp);
        }
        for (const char *const *o = (*c)->options; o && *o; o++) {
            char name[64], value[64];
            fputs(".TP\n", fp);
            roff(fp, option_name(*o, name, sizeof name), 1);
            if (option_value(*o, value, sizeof value)[0]) {
                fputs(" \\fI", fp);
                roff(fp, value, 0);
                fputs("\\fR", fp);
            }
            fputc('\n', fp);
            roff(fp, option_meaning(*o), 0);
            fputc('\n', fp);
        }
    }
    fputs(".SH EXIT STATUS\n", fp);
    roff(fp, exit_codes, 0);
    fputs("\n.SH SEE ALSO\n", fp);
    roff(fp, "The README and docs/ (CONFIG.md, OUTPUTS.md, OPERATIONS.md) installed in /usr/share/doc/firerisk; "
             "ogr2ogr(1).",
         0);
    fputc('\n', fp);
}

/* ---- bash completion ----------------------------------------------------- */

void fr_cli_bash_completion(FILE *fp)
{
    fputs("# bash completion for firerisk, generated by `firerisk help --completion`\n"
          "# from the command table (pipeline/cli/).\n"
          "_firerisk() {\n"
          "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} opts=\"\"\n"
          "  COMPREPLY=()\n"
          "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "    COMPREPLY=($(compgen -W \"",
          fp);
    for (const fr_cli_command *const *c = fr_cli_commands; *c; c++)
        fprintf(fp, "%s ", (*c)->name);
    fputs("--help --version -V\" -- \"$cur\"))\n"
          "    return\n"
          "  fi\n"
          "  case \"${COMP_WORDS[1]} $prev\" in\n",
          fp);
    /* values: a choice list "a|b" completes its words, a FILE or DIR file
     * names */
    for (const fr_cli_command *const *c = fr_cli_commands; *c; c++)
        for (const char *const *o = (*c)->options; o && *o; o++) {
            char name[64], value[64];
            if (!option_value(*o, value, sizeof value)[0])
                continue;
            option_name(*o, name, sizeof name);
            int choices = strchr(value, '|') != NULL;
            for (const char *v = value; *v && choices; v++)
                if (*v >= 'A' && *v <= 'Z')
                    choices = 0;
            if (choices) {
                for (char *v = value; *v; v++)
                    if (*v == '|')
                        *v = ' ';
                fprintf(fp, "    \"%s %s\") COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n", (*c)->name,
                        name, value);
            } else if (strstr(value, "FILE") || strstr(value, "DIR")) {
                fprintf(fp, "    \"%s %s\") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", (*c)->name, name);
            } else { /* a number, a date, a list: nothing to offer */
                fprintf(fp, "    \"%s %s\") return ;;\n", (*c)->name, name);
            }
        }
    fputs("  esac\n  case \"${COMP_WORDS[1]}\" in\n", fp);
    for (const fr_cli_command *const *c = fr_cli_commands; *c; c++) {
        fprintf(fp, "    %s) opts=\"", (*c)->name);
        for (const char *const *o = (*c)->options; o && *o; o++) {
            char name[64];
            fprintf(fp, "%s ", option_name(*o, name, sizeof name));
        }
        fputs("--help\" ;;\n", fp);
    }
    fputs("  esac\n"
          "  if [[ $cur == -* ]]; then\n"
          "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "  else\n"
          "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
          "  fi\n"
          "}\n"
          "complete -o filenames -F _firerisk firerisk\n",
          fp);
}
