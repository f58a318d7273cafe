package io.github.linkguard.internal.session;

import io.github.linkguard.internal.session.SqlTokens.Kind;
import io.github.linkguard.internal.session.SqlTokens.Token;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Tells calls of the server's built-in functions from calls of stored functions, which may change the
 * session where the text does not show it. Errs towards "stored": a built-in missing here only makes
 * LinkGuard distrust a statement that the server reported as changing the session.
 */
final class SqlFunctions {

    /** Words that a parenthesis follows without being a function call. */
    private static final Set<String> KEYWORDS = Set.of("in", "exists", "values", "value", "as", "on", "and", "or",
            "not", "using", "over", "from", "join", "select", "where", "any", "all", "some", "interval", "when",
            "then", "else", "is", "like", "between", "into", "table", "set", "by", "with", "returning", "partition",
            "key", "index", "unique", "primary", "check", "references", "default", "lateral", "union", "except",
            "intersect", "having", "limit", "distinct", "xor", "div", "mod", "regexp", "rlike", "return",
            "window", "rows", "range");

    private static final Set<String> BUILT_INS = Set.of(
            // aggregates and window functions
            "count", "sum", "avg", "min", "max", "group_concat", "json_arrayagg", "json_objectagg", "bit_and",
            "bit_or", "bit_xor", "std", "stddev", "stddev_pop", "stddev_samp", "var_pop", "var_samp", "variance",
            "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
            "first_value", "last_value", "nth_value",
            // flow control, casts, comparison
            "if", "ifnull", "nullif", "coalesce", "isnull", "cast", "convert", "greatest", "least", "interval",
            "strcmp", "field", "find_in_set", "elt",
            // strings
            "concat", "concat_ws", "length", "char_length", "character_length", "octet_length", "bit_length",
            "lower", "upper", "lcase", "ucase", "substring", "substr", "mid", "left", "right", "trim", "ltrim",
            "rtrim", "replace", "reverse", "repeat", "space", "lpad", "rpad", "instr", "locate", "position",
            "format", "hex", "unhex", "ascii", "char", "ord", "quote", "soundex", "insert", "substring_index",
            "regexp_replace", "regexp_substr", "regexp_instr", "regexp_like", "md5", "sha", "sha1", "sha2",
            "crc32", "to_base64", "from_base64", "uuid", "uuid_short", "charset", "collation", "coercibility",
            "weight_string", "export_set", "make_set", "bin", "oct", "conv", "json_extract", "json_unquote",
            "json_object", "json_array", "json_contains", "json_length", "json_value", "json_query", "json_set",
            "json_insert", "json_replace", "json_remove", "json_keys", "json_search", "json_valid", "json_type",
            // numbers
            "abs", "ceil", "ceiling", "floor", "round", "truncate", "mod", "pow", "power", "sqrt", "exp", "ln",
            "log", "log2", "log10", "sign", "pi", "rand", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
            "cot", "degrees", "radians", "crc32c",
            // dates and times
            "now", "sysdate", "curdate", "curtime", "current_date", "current_time", "current_timestamp",
            "localtime", "localtimestamp", "utc_date", "utc_time", "utc_timestamp", "unix_timestamp",
            "from_unixtime", "date", "time", "timestamp", "year", "month", "day", "dayofmonth", "dayofweek",
            "dayofyear", "hour", "minute", "second", "microsecond", "week", "weekday", "weekofyear", "yearweek",
            "quarter", "monthname", "dayname", "date_add", "date_sub", "adddate", "subdate", "addtime", "subtime",
            "datediff", "timediff", "timestampadd", "timestampdiff", "date_format", "time_format", "str_to_date",
            "makedate", "maketime", "last_day", "extract", "to_days", "from_days", "to_seconds", "sec_to_time",
            "time_to_sec", "convert_tz", "period_add", "period_diff",
            // information and locks (locks are read from the text)
            "connection_id", "database", "schema", "user", "current_user", "session_user", "system_user",
            "version", "last_insert_id", "row_count", "found_rows", "benchmark", "sleep", "get_lock",
            "release_lock", "release_all_locks", "is_free_lock", "is_used_lock", "inet_aton", "inet_ntoa",
            "inet6_aton", "inet6_ntoa", "nextval", "lastval", "setval", "values", "default", "match", "against");

    /** Words after which a name and a parenthesis are a table and its column list: {@code INSERT INTO t (a, b)}. */
    private static final Set<String> BEFORE_TABLE = Set.of("into", "insert", "replace", "ignore", "table", "update",
            "join", "from", "exists");

    private SqlFunctions() {
    }

    /** Whether the statement calls a function that is not one of the server's built-ins. */
    static boolean callsRoutine(List<Token> tokens) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            Token token = tokens.get(i);
            if ((token.kind() == Kind.WORD || token.kind() == Kind.QUOTED_NAME) && tokens.get(i + 1).is("(")) {
                String name = token.name();
                boolean qualified = i > 0 && tokens.get(i - 1).is(".");
                int before = qualified ? i - 3 : i - 1;
                if (before >= 0 && tokens.get(before).kind() == Kind.WORD
                        && BEFORE_TABLE.contains(tokens.get(before).text().toLowerCase(Locale.ROOT))) {
                    continue; // a table's column list
                }
                if (qualified || !KEYWORDS.contains(name) && !BUILT_INS.contains(name.toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
        }
        return false;
    }
}
