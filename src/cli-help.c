/* Help, "did you mean" and the bash completion, all read from the command table
 * (src/main.c), so they cannot drift from what the parser accepts. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cmd *cli_find(const char *w1, const char *w2) {
    size_t n1 = strlen(w1);
    for (const struct cmd *c = commands; c->name; c++) {
        if (!w2 && strcmp(c->name, w1) == 0)
            return c;
        if (w2 && strncmp(c->name, w1, n1) == 0 && c->name[n1] == ' ' &&
            strcmp(c->name + n1 + 1, w2) == 0)
            return c;
    }
    return NULL;
}

bool cli_is_family(const char *word) {
    size_t n = strlen(word);
    for (const struct cmd *c = commands; c->name; c++)
        if (strncmp(c->name, word, n) == 0 && c->name[n] == ' ')
            return true;
    return false;
}

/* The optimal-string-alignment distance (Damerau-Levenshtein with adjacent swaps), capped
 * at 32 characters a side: typos, not essays. */
static int distance(const char *a, const char *b) {
    enum { M = 33 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= M || lb >= M)
        return 99;
    int d[M][M];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

void cli_suggest(const char *typed, const char *const *cands, size_t n, char *buf, size_t size) {
    buf[0] = '\0';
    size_t tl = strlen(typed);
    /* at most a third of the word may differ (one edit for short words, two from six
     * letters, ...): farther candidates are other words, not typos */
    int best = (int)(tl >= 6 ? tl / 3 : 1) + 1;
    for (size_t i = 0; i < n; i++) {
        int d = distance(typed, cands[i]);
        if (d < best)
            best = d;
    }
    size_t len = 0, shown = 0;
    for (size_t i = 0; i < n && shown < 3; i++) {
        if (distance(typed, cands[i]) != best)
            continue;
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= strcmp(cands[j], cands[i]) == 0;
        if (dup)
            continue;
        int w =
            snprintf(buf + len, size - len, "%s'%s'", shown ? " or " : "; did you mean ", cands[i]);
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
        shown++;
    }
    if (shown && len + 1 < size)
        strcat(buf, "?");
}

/* "usage: dealwright NAME ARGS --required X [--optional Y]...": with more than three
 * optional ones, "[OPTIONS]" stands for them (the list follows). */
static void usage_line(FILE *f, const struct cmd *c) {
    fprintf(f, "usage: dealwright %s", c->name);
    if (c->args && *c->args)
        fprintf(f, " %s", c->args);
    size_t n_optional = 0;
    for (const struct cli_option *o = c->opts; o && o->name; o++)
        n_optional += !(o->flags & OPT_REQUIRED);
    for (const struct cli_option *o = c->opts; o && o->name; o++) {
        bool req = o->flags & OPT_REQUIRED;
        if (!req && n_optional > 3)
            continue;
        fprintf(f, " %s%s%s%s%s%s", req ? "" : "[", o->name, o->arg ? " " : "",
                o->arg ? o->arg : "", o->flags & OPT_MULTI ? "..." : "", req ? "" : "]");
    }
    fprintf(f, "%s [--json]\n", n_optional > 3 ? " [OPTIONS]" : "");
}

/* "  LEFT   text" with the text wrapped at 79 columns under itself. */
static void help_line(FILE *f, const char *left, const char *text, const char *tail) {
    enum { COL = 27, END = 79 };
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", text, tail);
    fprintf(f, "  %-24s", left);
    int at = (int)strlen(left) > 24 ? 2 + (int)strlen(left) : COL - 1;
    const char *p = buf;
    while (*p) {
        const char *sp = strchr(p, ' ');
        int wl = sp ? (int)(sp - p) : (int)strlen(p);
        if (at + 1 + wl > END && at > COL - 1) {
            fprintf(f, "\n%*s", COL - 1, "");
            at = COL - 1;
        }
        fprintf(f, " %.*s", wl, p);
        at += 1 + wl;
        p += wl;
        while (*p == ' ')
            p++;
    }
    fputc('\n', f);
}

static void option_lines(FILE *f, const struct cli_option *opts) {
    for (const struct cli_option *o = opts; o && o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        help_line(f, left, o->help,
                  o->flags & OPT_REQUIRED ? " (required)"
                  : o->flags & OPT_MULTI  ? " (repeatable)"
                                          : "");
    }
}

void cli_help_overview(FILE *f) {
    fprintf(f, "usage: dealwright [-w DIR] [--db PATH] COMMAND [ARGS] [--json]\n"
               "       dealwright help [COMMAND [SUBCOMMAND] | exit-codes]\n"
               "       dealwright version | completion bash\n\nCommands:\n");
    for (const struct cmd *c = commands; c->name; c++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", c->name, c->args && *c->args ? " " : "",
                 c->args ? c->args : "");
        help_line(f, left, c->help, "");
    }
    fprintf(f, "\nGlobal options (before the command; --json anywhere):\n");
    option_lines(f, cli_global_options);
    fprintf(f, "\n'dealwright help COMMAND' lists a command's options with an example;\n"
               "'dealwright help exit-codes' what each exit code means.\n");
}

void cli_help_command(FILE *f, const struct cmd *c) {
    usage_line(f, c);
    fprintf(f, "\n%c%s.\n", c->help[0] >= 'a' && c->help[0] <= 'z' ? c->help[0] - 32 : c->help[0],
            c->help + 1);
    if (c->opts && c->opts->name) {
        fprintf(f, "\nOptions:\n");
        option_lines(f, c->opts);
    }
    fprintf(f, "  %-24s %s\n  %-24s %s\n", "--json", "print JSON instead of text", "-h, --help",
            "this help");
    if (c->flags & (CMD_ENGINE | CMD_WORKSPACE))
        fprintf(f, "\nThe workspace: -w DIR, else $DW_WORKSPACE, else the first folder from the\n"
                   "current one up that holds dealwright.yaml.\n");
    if (c->example)
        fprintf(f, "\nExample:\n  %s\n", c->example);
}

int cli_help_family(FILE *f, const char *family) {
    size_t n = strlen(family);
    fprintf(f, "usage: dealwright %s SUBCOMMAND [ARGS]\n\nSubcommands:\n", family);
    for (const struct cmd *c = commands; c->name; c++) {
        if (strncmp(c->name, family, n) != 0 || c->name[n] != ' ')
            continue;
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", c->name + n + 1, c->args && *c->args ? " " : "",
                 c->args ? c->args : "");
        help_line(f, left, c->help, "");
    }
    fprintf(f, "\n'dealwright help %s SUBCOMMAND' lists its options.\n", family);
    return EXIT_OK;
}

void cli_help_exit_codes(FILE *f) {
    fprintf(f, "Exit codes, the same for every command; the message on stderr names the kind:\n"
               "  0  ok\n"
               "  1  a check answered no: the audit chain is broken, an evaluation is below its\n"
               "     goal, a configuration has a conflict, a condition is not a valid bool\n"
               "  2  bad usage or bad input; nothing changed:\n"
               "     usage      unknown command or option, a missing or malformed argument\n"
               "     workspace  none found, or it does not validate (validate lists why)\n"
               "     input      a file or value given is malformed or too big\n"
               "     not found  the deal, approval, token, webhook or file named does not exist\n"
               "     refused    the deal's state, a policy or the user's role does not allow it\n"
               "  3  environment or internal error: I/O, the store busy, out of memory\n");
}

/* ---- bash completion --------------------------------------------------------------- */

static bool takes_file(const char *arg) {
    return arg && (strstr(arg, "FILE") || strstr(arg, "DIR") || strstr(arg, "PATH"));
}

static void opts_words(FILE *f, const struct cli_option *opts) {
    for (const struct cli_option *o = opts; o && o->name; o++)
        fprintf(f, "%s ", o->name);
    fprintf(f, "--json --help");
}

/* _dealwright_subs FAMILY: its subcommands; fails for a word that is not a family. */
static void subs_function(FILE *f) {
    fprintf(f, "_dealwright_subs() {\n    case \"$1\" in\n");
    for (const struct cmd *c = commands; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        if (!sp)
            continue;
        size_t n = (size_t)(sp - c->name);
        bool seen = false;
        for (const struct cmd *k = commands; k < c; k++)
            seen |= strncmp(k->name, c->name, n + 1) == 0;
        if (seen)
            continue;
        fprintf(f, "    %.*s) echo \"", (int)n, c->name);
        for (const struct cmd *k = c; k->name; k++)
            if (strncmp(k->name, c->name, n + 1) == 0)
                fprintf(f, "%s%s", k == c ? "" : " ", k->name + n + 1);
        fprintf(f, "\" ;;\n");
    }
    fprintf(f, "    *) return 1 ;;\n    esac\n}\n");
}

void cli_completion_bash(FILE *f) {
    fprintf(f, "# bash completion for dealwright (dealwright completion bash; made from its "
               "command table)\n");
    subs_function(f);
    fprintf(f, "_dealwright() {\n"
               "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" i w cmd=\"\" sub=\"\"\n"
               "    [ \"$COMP_CWORD\" -gt 0 ] && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
               "    COMPREPLY=()\n"
               "    i=1\n"
               "    while [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
               "        w=\"${COMP_WORDS[i]}\"\n"
               "        case \"$w\" in\n"
               "        -w|--workspace|--db) i=$((i + 2)); continue ;;\n"
               "        -*) i=$((i + 1)); continue ;;\n"
               "        esac\n"
               "        if [ -z \"$cmd\" ]; then cmd=\"$w\"\n"
               "        elif [ -z \"$sub\" ]; then sub=\"$w\"; break\n"
               "        fi\n"
               "        i=$((i + 1))\n"
               "    done\n"
               "    case \"$prev\" in\n"
               "    -w|--workspace) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
               "    --db) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
               "    esac\n"
               "    if [ -z \"$cmd\" ]; then\n"
               "        case \"$cur\" in\n"
               "        -*) COMPREPLY=($(compgen -W \"");
    for (const struct cli_option *o = cli_global_options; o->name; o++)
        fprintf(f, "%s ", o->name);
    fprintf(f, "--workspace -h\" -- \"$cur\")) ;;\n"
               "        *) COMPREPLY=($(compgen -W \"help version completion");
    for (const struct cmd *c = commands; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        size_t n = sp ? (size_t)(sp - c->name) : strlen(c->name);
        bool seen = false;
        for (const struct cmd *k = commands; k < c; k++)
            seen |= strncmp(k->name, c->name, n) == 0 && (k->name[n] == ' ' || !k->name[n]);
        if (!seen)
            fprintf(f, " %.*s", (int)n, c->name);
    }
    fprintf(f, "\" -- \"$cur\")) ;;\n        esac\n        return\n    fi\n");
    /* the subcommand of a family, also after "help FAMILY" */
    fprintf(f, "    if [ \"$cmd\" = completion ]; then COMPREPLY=($(compgen -W bash -- \"$cur\")); "
               "return; fi\n"
               "    local subs\n"
               "    if [ \"$cmd\" = help ]; then\n"
               "        [ -n \"$sub\" ] && subs=$(_dealwright_subs \"$sub\") &&\n"
               "            COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\")) && return\n"
               "    elif [ -z \"$sub\" ] && [ \"${cur#-}\" = \"$cur\" ] &&\n"
               "        subs=$(_dealwright_subs \"$cmd\"); then\n"
               "        COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
               "        return\n"
               "    fi\n");
    /* the options of the command, and what their values complete to */
    fprintf(f, "    local key=\"$cmd\"\n"
               "    case \"$cmd\" in\n");
    for (const struct cmd *c = commands; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        if (!sp || (c > commands && strncmp(c[-1].name, c->name, (size_t)(sp - c->name) + 1) == 0))
            continue;
        size_t n = (size_t)(sp - c->name);
        bool also_cmd = false; /* `deals` beside `deals export`: the subcommand only if named */
        for (const struct cmd *k = commands; k->name; k++)
            also_cmd |= strlen(k->name) == n && strncmp(k->name, c->name, n) == 0;
        if (!also_cmd) {
            fprintf(f, "    %.*s) key=\"$cmd $sub\" ;;\n", (int)n, c->name);
            continue;
        }
        fprintf(f, "    %.*s) case \"$sub\" in", (int)n, c->name);
        for (const struct cmd *k = c; k->name; k++)
            if (strncmp(k->name, c->name, n + 1) == 0)
                fprintf(f, "%s%s", k == c ? " " : "|", k->name + n + 1);
        fprintf(f, ") key=\"$cmd $sub\" ;; esac ;;\n");
    }
    fprintf(f, "    esac\n    case \"$key\" in\n");
    for (const struct cmd *c = commands; c->name; c++) {
        fprintf(f, "    \"%s\")\n        case \"$prev\" in\n", c->name);
        bool any = false;
        for (const struct cli_option *o = c->opts; o && o->name; o++)
            if (o->arg) {
                fprintf(f, "        %s) %s; return ;;\n", o->name,
                        takes_file(o->arg) ? "COMPREPLY=($(compgen -f -- \"$cur\"))" : ":");
                any = true;
            }
        (void)any;
        fprintf(f,
                "        esac\n        case \"$cur\" in\n        -*) COMPREPLY=($(compgen -W \"");
        opts_words(f, c->opts);
        fprintf(f, "\" -- \"$cur\")) ;;\n");
        fprintf(f, "        *) %s ;;\n        esac ;;\n",
                takes_file(c->args) ? "COMPREPLY=($(compgen -f -- \"$cur\"))" : ":");
    }
    fprintf(f, "    help)\n        COMPREPLY=($(compgen -W \"exit-codes");
    for (const struct cmd *c = commands; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        size_t n = sp ? (size_t)(sp - c->name) : strlen(c->name);
        bool seen = false;
        for (const struct cmd *k = commands; k < c; k++)
            seen |= strncmp(k->name, c->name, n) == 0 && (k->name[n] == ' ' || !k->name[n]);
        if (!seen)
            fprintf(f, " %.*s", (int)n, c->name);
    }
    fprintf(f, "\" -- \"$cur\")) ;;\n    esac\n}\ncomplete -F _dealwright dealwright\n");
}
