import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes, at build time, the methods of LinkGuard's JDBC wrappers that are the same hook in many methods, so
 * that nobody keeps hundreds of hand copies (HikariCP generates its pure delegates the same way). Each wrapper
 * is a hand-written abstract class with the methods that do something, and a generated final subclass with
 * every other method of the interface: it delegates, and reports a failure through the one hook the
 * hand-written class names ({@code failed(SQLException)}). Which methods are hand-written is read from the
 * hand-written source (its {@code public} methods, and {@code DelegatingWrapper}'s).
 * <ul>
 * <li>{@code internal/jdbc/GeneratedConnection}: the connection's methods; a statement it makes is guarded
 *     and registered with the recipe that makes it again on a fresh link.</li>
 * <li>{@code internal/jdbc/GeneratedDatabaseMetaData}: the metadata's methods; a result set it returns is
 *     guarded ({@code results(...)}).</li>
 * <li>{@code internal/jdbc/GeneratedStatement}, {@code GeneratedPreparedStatement},
 *     {@code GeneratedCallableStatement}: the executions (their shape: on the link, run, tell the link what
 *     ran, a failure to the link's recovery with the call that runs it again), the settings the statement
 *     keeps for a re-make ({@code setting(NAME, value)}, for each {@code static final int NAME} of
 *     {@code GuardedStatement}), the parameters set by index (kept as a {@code Parameter} where one is named
 *     after the setter, else as the call that binds them again; a stream or reader makes the transaction not
 *     replayable), getters, a callable statement's OUT parameters and parameters set by name (their size
 *     counted; the transaction then not replayable).</li>
 * <li>{@code internal/jdbc/GeneratedResultSet}: every {@link ResultSet} method the hand-written
 *     {@code GuardedResultSet} leaves open. Each delegates and reports a failure as phase fetch; while the
 *     open transaction is kept for its replay, the reads the application observes (getters, {@code wasNull},
 *     positions) go to its {@code ReadLog}, and the reads that cannot be proven again (streams, LOB locators)
 *     or writes through the result set make the transaction not replayable.</li>
 * <li>{@code internal/replay/ResultReads}: one number per observed read, and the call that makes it again on
 *     a fresh result set during a replay.</li>
 * </ul>
 * Run by the build ({@code exec-maven-plugin}, phase generate-sources) as
 * {@code java GenerateDelegates.java <generated sources directory> <hand-written sources directory>}.
 */
public final class GenerateDelegates {

    /** Written by hand in GuardedResultSet. */
    private static final Set<String> HAND_WRITTEN = Set.of("next", "close", "getStatement", "unwrap", "isWrapperFor");
    /** Reads whose value the application observes: recorded and digested. */
    private static final Set<String> OBSERVED_VALUES = Set.of("getString", "getNString", "getBoolean", "getByte",
            "getShort", "getInt", "getLong", "getFloat", "getDouble", "getBigDecimal", "getBytes", "getDate", "getTime",
            "getTimestamp", "getObject", "getURL", "wasNull", "isBeforeFirst", "isAfterLast", "isFirst", "isLast",
            "previous", "first", "last", "absolute", "relative", "beforeFirst", "afterLast");
    /** Reads LinkGuard cannot digest without consuming them for the application. */
    private static final Set<String> UNDIGESTIBLE = Set.of("getAsciiStream", "getUnicodeStream", "getBinaryStream",
            "getCharacterStream", "getNCharacterStream", "getBlob", "getClob", "getNClob", "getRef", "getArray",
            "getRowId", "getSQLXML");
    /**
     * What a connection or statement read from its link: a lost link's went with it, so these answer none
     * without a fresh link (frameworks read and clear warnings as they let a connection go, before or without
     * rolling a lost transaction back).
     */
    private static final Set<String> LINK_WARNINGS = Set.of("getWarnings", "clearWarnings");
    /** Changes made through the result set: sent to the server, not kept for a replay. */
    private static final Set<String> ROW_CHANGES = Set.of("insertRow", "updateRow", "deleteRow", "refreshRow",
            "cancelRowUpdates", "moveToInsertRow", "moveToCurrentRow");

    /** The kinds of kept parameters ({@code Parameter}'s constants) and the statements' kept settings. */
    private static Set<String> PARAMETERS;
    private static Set<String> SETTINGS;

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        Path jdbc = Path.of(args[1], "io/github/linkguard/internal/jdbc");
        PARAMETERS = matches(jdbc.resolve("Parameter.java"), "(?m)^    ([A-Z_]+)[,;]$");
        SETTINGS = matches(jdbc.resolve("GuardedStatement.java"), "(?m)^    static final int ([A-Z_]+) = \\d+;");
        List<Method> methods = Arrays.stream(ResultSet.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()) && !HAND_WRITTEN.contains(m.getName()))
                .sorted(Comparator.comparing(GenerateDelegates::signature))
                .collect(Collectors.toList());
        Map<String, List<Method>> reads = new LinkedHashMap<>(); // by kind of read, numbered in this order from 1
        for (Method m : methods) {
            if (OBSERVED_VALUES.contains(m.getName())) {
                reads.computeIfAbsent(opKey(m), k -> new ArrayList<>()).add(m);
            }
        }
        write(root.resolve("io/github/linkguard/internal/replay/ResultReads.java"), resultReads(reads));
        write(root.resolve("io/github/linkguard/internal/jdbc/GeneratedResultSet.java"), resultSet(methods));
        write(root.resolve("io/github/linkguard/internal/jdbc/GeneratedDatabaseMetaData.java"), delegates(
                DatabaseMetaData.class, "GuardedConnection connection, java.sql.DatabaseMetaData delegate",
                "connection, delegate", GenerateDelegates::metaDataCall, jdbc.resolve("GuardedDatabaseMetaData.java"),
                jdbc.resolve("DelegatingWrapper.java")));
        write(root.resolve("io/github/linkguard/internal/jdbc/GeneratedConnection.java"), delegates(
                Connection.class, "io.github.linkguard.internal.LinkSource source, java.sql.Connection physical, long acquiredNanos",
                "source, physical, acquiredNanos", GenerateDelegates::connectionCall,
                jdbc.resolve("GuardedConnection.java"), jdbc.resolve("DelegatingWrapper.java")));
        write(root.resolve("io/github/linkguard/internal/jdbc/GeneratedStatement.java"), delegates(
                Statement.class, "GuardedConnection connection, java.sql.Statement delegate, String sql, Recipe recipe",
                "connection, delegate, sql, recipe", GenerateDelegates::statementCall,
                jdbc.resolve("GuardedStatement.java"), jdbc.resolve("DelegatingWrapper.java")));
        write(root.resolve("io/github/linkguard/internal/jdbc/GeneratedPreparedStatement.java"), delegates(
                PreparedStatement.class, "GuardedConnection connection, java.sql.PreparedStatement delegate, String sql, "
                        + "Recipe recipe", "connection, delegate, sql, recipe", GenerateDelegates::statementCall,
                jdbc.resolve("GuardedPreparedStatement.java"), jdbc.resolve("GuardedStatement.java"),
                jdbc.resolve("DelegatingWrapper.java")));
        write(root.resolve("io/github/linkguard/internal/jdbc/GeneratedCallableStatement.java"), delegates(
                CallableStatement.class, "GuardedConnection connection, java.sql.CallableStatement delegate, String sql, "
                        + "Recipe recipe", "connection, delegate, sql, recipe", GenerateDelegates::statementCall,
                jdbc.resolve("GuardedCallableStatement.java"), jdbc.resolve("GuardedPreparedStatement.java"),
                jdbc.resolve("GuardedStatement.java"), jdbc.resolve("DelegatingWrapper.java")));
    }

    /**
     * A connection's method: on the link (after a lost one a fresh link, the session restored), delegates,
     * reports a failure through failed(e, Phase.EXECUTE). A statement it makes is guarded and registered, with
     * the recipe that makes it again on a fresh link.
     */
    private static String connectionCall(Method m) {
        String call = "link.physical()." + m.getName() + "(" + delegateArguments(m) + ")";
        if (!throwsSql(m)) {
            return "        " + call + ";\n";
        }
        Class<?> returns = m.getReturnType();
        String statement;
        if (Statement.class.isAssignableFrom(returns)) {
            boolean text = m.getParameterCount() > 0 && m.getParameterTypes()[0] == String.class;
            String again = "physical." + m.getName() + "(" + delegateArguments(m).replaceFirst("^arg0", text ? "text" : "arg0")
                    + ")";
            statement = "return register(Guarded" + returns.getSimpleName() + ".of(this, " + call + ", " + (text ? "arg0" : "null")
                    + ", (physical, text) -> " + again + "));";
        } else {
            statement = (returns == void.class ? "" : "return ") + call + ";";
        }
        return onTheLink(m) + "        try {\n            " + statement + "\n        } catch (SQLException e) {\n"
                + "            throw failed(e);\n        }\n";
    }

    /** Before a connection's or statement's call: the link, fresh after a lost one (a lost one's warnings: none). */
    private static String onTheLink(Method m) {
        String ensure = "        link.ensureLink();\n";
        if (!LINK_WARNINGS.contains(m.getName())) {
            return ensure;
        }
        return "        if (link.lostButNotClosed()) {\n            return" + (m.getReturnType() == void.class ? "" : " null")
                + ";\n        }\n" + ensure;
    }

    /** A metadata method: delegates, guards a result set it returns, reports a failure through failed(e). */
    private static String metaDataCall(Method m) {
        String call = "delegate." + m.getName() + "(" + delegateArguments(m) + ")";
        String statement = (m.getReturnType() == void.class ? "" : "return ")
                + (m.getReturnType() == ResultSet.class ? "results(" + call + ")" : call) + ";";
        if (!throwsSql(m)) {
            return "        " + statement + "\n";
        }
        return "        try {\n            " + statement + "\n        } catch (SQLException e) {\n"
                + "            throw failed(e);\n        }\n";
    }

    /**
     * A statement's method that only delegates (a setting, a getter, a callable statement's OUT parameter or
     * parameter set by name; a result set it returns guarded, a further result noted): on the link (failing while a lost transaction waits for its end), delegates,
     * reports a failure through failed(e, 0). A parameter set by name counts its size (for a packet that may be
     * too large) and makes the transaction not replayable: a replay makes statements again by their parameters'
     * positions.
     */
    private static String statementCall(Method m) {
        if (m.getName().startsWith("execute")) {
            return executionCall(m);
        }
        String call = "delegate." + m.getName() + "(" + delegateArguments(m) + ");";
        StringBuilder body = new StringBuilder(onTheLink(m)).append("        try {\n");
        Class<?>[] p = m.getParameterTypes();
        boolean byName = m.getName().startsWith("set") && p.length >= 2 && p[0] == String.class;
        boolean byIndex = m.getName().startsWith("set") && p.length >= 2 && p[0] == int.class;
        String setting = constant(m.getName().substring(m.getName().startsWith("set") ? 3 : 0));
        if (byIndex) {
            String size = sizeOf(p);
            if (size != null) {
                body.append("            noteSize(").append(size).append(");\n");
            }
            body.append("            ").append(call).append("\n            ").append(kept(m)).append("\n");
        } else if (p.length == 1 && m.getName().startsWith("set") && SETTINGS.contains(setting)) {
            body.append("            ").append(call).append("\n            setting(").append(setting).append(", arg0);\n");
        } else if (m.getName().equals("getMoreResults")) {
            body.append("            boolean more = ").append(call).append("\n            moreResults(more);\n")
                    .append("            return more;\n");
        } else if (m.getReturnType() == ResultSet.class) {
            body.append("            return results(").append(call, 0, call.length() - 1).append(");\n");
        } else if (byName) {
            String size = sizeOf(p);
            if (size != null) {
                body.append("            noteSize(").append(size).append(");\n");
            }
            body.append("            ").append(call).append("\n            unreplayable();\n");
        } else {
            body.append("            ").append(m.getReturnType() == void.class ? "" : "return ").append(call).append("\n");
        }
        return body.append("        } catch (SQLException e) {\n            throw failed(e, 0);\n        }\n").toString();
    }

    /**
     * How a parameter set by index is kept for binding it again on a re-made statement: a stream or reader
     * cannot be read twice (the transaction is then not replayable); the common setters are kept as a
     * {@code Parameter} and a number or object (nothing allocated); any other as the call that repeats it.
     */
    private static String kept(Method m) {
        Class<?>[] p = m.getParameterTypes();
        for (Class<?> type : p) {
            if (type == java.io.InputStream.class || type == java.io.Reader.class) {
                return "unreplayable();";
            }
        }
        String kind = m.getName().equals("setObject") && p.length == 3 && p[2] == int.class ? "OBJECT_AS"
                : p.length == 2 ? constant(m.getName().substring(3)) : null;
        if (kind == null || !PARAMETERS.contains(kind)) {
            return "bind(arg0, statement -> statement." + m.getName() + "(" + delegateArguments(m) + "));";
        }
        if (kind.equals("OBJECT_AS")) {
            return "keep(arg0, Parameter.OBJECT_AS, arg2, arg1);";
        }
        Class<?> value = p[1];
        String number = value == boolean.class ? "arg1 ? 1 : 0" : value == float.class ? "Float.floatToRawIntBits(arg1)"
                : value == double.class ? "Double.doubleToRawLongBits(arg1)" : value.isPrimitive() ? "arg1" : "0";
        return "keep(arg0, Parameter." + kind + ", " + number + ", " + (value.isPrimitive() ? "null" : "arg1") + ");";
    }

    /**
     * A statement's execution: on the link (a SQL COMMIT or ROLLBACK ends a lost transaction), runs, tells the
     * link what ran ({@code link.ran}, {@code ranBatch} with the batch it took) and guards a result set; a failure
     * goes to the connection's recovery with the call that runs it again (a batch queued again first).
     */
    private static String executionCall(Method m) {
        boolean text = m.getParameterCount() > 0 && m.getParameterTypes()[0] == String.class;
        String sql = text ? "arg0" : "sql";
        String call = "delegate." + m.getName() + "(" + delegateArguments(m) + ")";
        Class<?> returns = m.getReturnType();
        boolean results = returns == ResultSet.class;
        StringBuilder body = new StringBuilder("        link.ensureLink(")
                .append(returns.isArray() ? "" : text ? "arg0, this" : "sql, this").append(");\n");
        if (results) {
            body.append("        if (streaming()) {\n            link.beforeStreaming();\n        }\n");
        }
        if (returns.isArray()) {
            body.append("        QueuedBatch batch = takeBatch();\n");
        }
        body.append("        try {\n            ").append(typeName(returns)).append(" result = ").append(call).append(";\n");
        if (returns.isArray()) {
            body.append("            ranBatch(batch, result);\n");
        } else {
            body.append("            link.ran(").append(text ? "io.github.linkguard.internal.session.SessionSql.touchesSession(arg0)" : "touchesSession").append(", ")
                    .append(sql).append(", this, ")
                    .append(results ? "RESULT" : returns == boolean.class ? "result ? RESULT : ASK" : "result").append(");\n");
        }
        String recovered = "link.recover(" + (returns.isArray() ? "batchFailure(e), batchSql(batch)" : "e, " + sql) + ", "
                + (text ? "lengthOf(arg0)" : "payloadBytes()") + ", this, "
                + (returns.isArray() ? "again(batch, () -> " + call + ")" : "() -> " + call) + ")";
        return body.append("            return ").append(results ? "results(result)" : "result")
                .append(";\n        } catch (SQLException e) {\n            return ")
                .append(results ? "results(" + recovered + ")" : recovered).append(";\n        }\n").toString();
    }

    /** The bytes a value set by name sends, as an expression of the arguments; null if it sends little. */
    private static String sizeOf(Class<?>[] p) {
        if (p.length == 3 && (p[2] == int.class || p[2] == long.class)
                && (p[1] == java.io.InputStream.class || p[1] == java.io.Reader.class)) {
            return "arg2";
        }
        if (p[1] == String.class) {
            return "arg1 == null ? 0 : arg1.length()";
        }
        if (p[1] == byte[].class) {
            return "arg1 == null ? 0 : arg1.length";
        }
        return p[1] == Object.class ? "sizeOf(arg1)" : null;
    }

    /** The first group of every match of {@code regex} in {@code source}. */
    private static Set<String> matches(Path source, String regex) throws IOException {
        Set<String> found = new HashSet<>();
        Matcher m = Pattern.compile(regex).matcher(Files.readString(source));
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** The exceptions {@code m} declares, as source text. */
    private static String throwsClause(Method m) {
        return m.getExceptionTypes().length == 0 ? "" : Arrays.stream(m.getExceptionTypes())
                .map(type -> type == java.sql.SQLException.class ? "SQLException" : type.getName())
                .collect(Collectors.joining(", ", " throws ", ""));
    }

    private static boolean throwsSql(Method m) {
        return Arrays.asList(m.getExceptionTypes()).contains(java.sql.SQLException.class);
    }

    /** The public methods hand-written sources declare: each name with its parameter types' simple names. */
    private static Set<String> declaredIn(Path... sources) throws IOException {
        Pattern declaration = Pattern.compile(
                "public\\s+(?:final\\s+)?(?:<[^>]+>\\s+)?[\\w.<>\\[\\], ?]+\\s+(\\w+)\\(([^)]*)\\)");
        Set<String> declared = new HashSet<>();
        for (Path source : sources) {
            Matcher m = declaration.matcher(Files.readString(source));
            while (m.find()) {
                List<String> types = new ArrayList<>();
                for (String parameter : m.group(2).split(",")) {
                    String text = parameter.trim();
                    if (!text.isEmpty()) {
                        String type = text.substring(0, text.lastIndexOf(' ')).trim().replaceAll("<.*>", "");
                        types.add(type.substring(type.lastIndexOf('.') + 1));
                    }
                }
                declared.add(m.group(1) + types);
            }
        }
        return declared;
    }

    private static String simpleSignature(Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.toList());
    }

    /**
     * {@code Generated<Name>}: every method of {@code type} that the hand-written {@code Guarded<Name>} (the
     * first source) and what it extends (the others) do not declare, each with the body {@code call} gives.
     */
    private static String delegates(Class<?> type, String constructorParameters, String constructorArguments,
            java.util.function.Function<Method, String> call, Path... handWritten) throws IOException {
        Set<String> declared = declaredIn(handWritten);
        String guarded = handWritten[0].getFileName().toString().replace(".java", "");
        String generated = "Generated" + guarded.substring("Guarded".length());
        List<Method> methods = Arrays.stream(type.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()) && !declared.contains(simpleSignature(m)))
                .sorted(Comparator.comparing(GenerateDelegates::signature))
                .collect(Collectors.toList());
        StringBuilder out = new StringBuilder();
        out.append("package io.github.linkguard.internal.jdbc;\n\n")
                .append("import java.sql.SQLException;\n\n")
                .append("/** Generated by core/src/build/GenerateDelegates.java: the delegating methods of ").append(guarded)
                .append(". */\n")
                .append("@SuppressWarnings(\"deprecation\") // JDBC's deprecated methods must still be delegated\n")
                .append("final class ").append(generated).append(" extends ").append(guarded).append(" {\n\n")
                .append("    ").append(generated).append("(").append(constructorParameters).append(")")
                .append(Pattern.compile(guarded + "\\([^)]*\\) throws SQLException").matcher(Files.readString(handWritten[0]))
                        .find() ? " throws SQLException {\n" : " {\n") // what the hand-written constructor throws
                .append("        super(").append(constructorArguments).append(");\n    }\n");
        for (Method m : methods) {
            String typeParameters = m.getTypeParameters().length == 0 ? ""
                    : Arrays.stream(m.getTypeParameters()).map(TypeVariable::getName).collect(Collectors.joining(", ", "<", "> "));
            out.append("\n    @Override\n    public ").append(typeParameters).append(typeName(m.getGenericReturnType())).append(' ')
                    .append(m.getName()).append('(').append(delegateParameters(m)).append(')')
                    .append(throwsClause(m)).append(" {\n").append(call.apply(m)).append("    }\n");
        }
        return out.append("}\n").toString();
    }

    private static String delegateParameters(Method m) {
        List<String> list = new ArrayList<>();
        Type[] p = m.getGenericParameterTypes();
        for (int i = 0; i < p.length; i++) {
            list.add(typeName(p[i]) + " arg" + i);
        }
        return String.join(", ", list);
    }

    private static String delegateArguments(Method m) {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < m.getParameterCount(); i++) {
            list.add("arg" + i);
        }
        return String.join(", ", list);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file) || !Files.readString(file).equals(text)) {
            Files.writeString(file, text);
        }
    }

    private static String signature(Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getName).collect(Collectors.joining(",", "(", ")"));
    }

    /** Whether the first parameter names a column (by index or label). */
    private static boolean byColumn(Method m) {
        Class<?>[] p = m.getParameterTypes();
        return p.length > 0 && (p[0] == int.class || p[0] == String.class) && m.getName().startsWith("get");
    }

    private static boolean byLabel(Method m) {
        return byColumn(m) && m.getParameterTypes()[0] == String.class;
    }

    /** A read's kind: its name and its parameters after the column, whether the column is an index or a label. */
    private static String opKey(Method m) {
        Class<?>[] p = m.getParameterTypes();
        int from = byColumn(m) ? 1 : 0;
        return m.getName() + Arrays.stream(p, from, p.length).map(Class::getSimpleName).collect(Collectors.joining("_", "_", ""));
    }

    private static String constant(String opKey) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < opKey.length(); i++) {
            char c = opKey.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(opKey.charAt(i - 1))) {
                name.append('_');
            }
            name.append(Character.toUpperCase(c));
        }
        String text = name.toString();
        return text.endsWith("_") ? text.substring(0, text.length() - 1) : text;
    }

    private static String typeName(Class<?> type) {
        if (type.isArray()) {
            return typeName(type.getComponentType()) + "[]";
        }
        return type.isPrimitive() || type.getPackageName().equals("java.lang") ? type.getSimpleName() : type.getName();
    }

    /** A type as source text, generics kept, java.lang unqualified. */
    private static String typeName(Type type) {
        return type instanceof Class<?> ? typeName((Class<?>) type) : type.getTypeName().replace("java.lang.", "");
    }

    private static String parameters(Method m) {
        List<String> list = new ArrayList<>();
        Type[] p = m.getGenericParameterTypes();
        for (int i = 0; i < p.length; i++) {
            list.add(typeName(p[i]) + " " + parameterName(m, i));
        }
        return String.join(", ", list);
    }

    private static String parameterName(Method m, int i) {
        if (i == 0 && byColumn(m)) {
            return byLabel(m) ? "columnLabel" : "columnIndex";
        }
        if (i == 0 && (m.getName().startsWith("update"))) {
            return m.getParameterTypes()[0] == String.class ? "columnLabel" : "columnIndex";
        }
        return "arg" + i;
    }

    private static String arguments(Method m) {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < m.getParameterCount(); i++) {
            list.add(parameterName(m, i));
        }
        return String.join(", ", list);
    }

    /** The argument after the column (a scale, a calendar, a type, a type map), or null. */
    private static String extra(Method m) {
        int from = byColumn(m) ? 1 : 0;
        int count = m.getParameterCount() - from;
        if (count == 0) {
            return "null";
        }
        if (count > 1) {
            throw new IllegalStateException("more than one argument after the column: " + m);
        }
        return parameterName(m, from);
    }

    private static String resultSet(List<Method> methods) {
        StringBuilder out = new StringBuilder();
        out.append("package io.github.linkguard.internal.jdbc;\n\n")
                .append("import io.github.linkguard.internal.replay.ReadLog;\n")
                .append("import io.github.linkguard.internal.replay.ResultReads;\n")
                .append("import java.sql.ResultSet;\n")
                .append("import java.sql.SQLException;\n")
                .append("import java.sql.Statement;\n\n")
                .append("/** Generated by core/src/build/GenerateDelegates.java: the delegating methods of GuardedResultSet. */\n")
                .append("@SuppressWarnings(\"deprecation\") // JDBC's deprecated methods must still be delegated\n")
                .append("final class GeneratedResultSet extends GuardedResultSet {\n\n")
                .append("    GeneratedResultSet(GuardedConnection connection, Statement statement, ResultSet delegate, boolean streamed,\n")
                .append("            ReadLog reads) {\n")
                .append("        super(connection, statement, delegate, streamed, reads);\n")
                .append("    }\n");
        for (Method m : methods) {
            String returns = typeName(m.getGenericReturnType());
            String typeParameters = m.getTypeParameters().length == 0 ? ""
                    : Arrays.stream(m.getTypeParameters()).map(TypeVariable::getName).collect(Collectors.joining(", ", "<", "> "));
            boolean isVoid = m.getReturnType() == void.class;
            String call = "delegate." + m.getName() + "(" + arguments(m) + ")";
            out.append("\n    @Override\n    public ").append(typeParameters).append(returns).append(' ').append(m.getName()).append('(')
                    .append(parameters(m)).append(") throws SQLException {\n");
            String name = m.getName();
            if (UNDIGESTIBLE.contains(name)) {
                out.append("        unreplayable(\"it read a stream or LOB from a result, which a replay cannot compare\");\n");
            } else if (ROW_CHANGES.contains(name) || name.startsWith("update")) {
                out.append("        unreplayable(\"it changed rows through a result set\");\n");
            }
            out.append("        try {\n");
            if (OBSERVED_VALUES.contains(name)) {
                String op = "ResultReads." + constant(opKey(m));
                String column = byColumn(m) ? (byLabel(m) ? "0, columnLabel" : "columnIndex, null")
                        : m.getParameterCount() == 1 ? "arg0, null" : "0, null";
                String extra = byColumn(m) ? extra(m) : "null";
                if (isVoid) {
                    out.append("            ").append(call).append(";\n");
                    out.append("            if (reads != null) {\n                reads.moved(").append(op).append(");\n            }\n");
                } else {
                    out.append("            ").append(returns).append(" value = ").append(call).append(";\n");
                    out.append("            if (reads != null) {\n                reads.read(").append(op).append(", ")
                            .append(column).append(", ").append(extra).append(", value);\n            }\n");
                    out.append("            return value;\n");
                }
            } else {
                out.append("            ").append(isVoid ? "" : "return ").append(call).append(";\n");
            }
            out.append("        } catch (SQLException e) {\n            throw failed(e);\n        }\n    }\n");
        }
        return out.append("}\n").toString();
    }

    private static String resultReads(Map<String, List<Method>> reads) {
        StringBuilder out = new StringBuilder();
        out.append("package io.github.linkguard.internal.replay;\n\n")
                .append("import java.sql.ResultSet;\n")
                .append("import java.sql.SQLException;\n\n")
                .append("/**\n * Generated by core/src/build/GenerateDelegates.java: a number for each read of a result set the application\n")
                .append(" * observes, and the same read made again on a fresh result set during a replay.\n */\n")
                .append("@SuppressWarnings({\"deprecation\", \"unchecked\", \"rawtypes\"}) // every read JDBC has, as the application made it\n")
                .append("public final class ResultReads {\n\n")
                .append("    /** {@code next()}. */\n    public static final int NEXT = 0;\n");
        int number = 1; // 0 is next(), written by hand
        for (String op : reads.keySet()) {
            out.append("    /** {@code ").append(op.replaceAll("_$", "")).append("}. */\n")
                    .append("    public static final int ").append(constant(op)).append(" = ").append(number++).append(";\n");
        }
        out.append("\n    private ResultReads() {\n    }\n\n")
                .append("    /**\n     * Makes read {@code op} again on {@code results}: by {@code label} if not null, else by column\n")
                .append("     * {@code index} (the position's argument for absolute/relative), with {@code extra} as the argument after it.\n")
                .append("     * Returns the value read, boxed; null for reads that return nothing.\n     */\n")
                .append("    static Object call(ResultSet results, int op, int index, String label, Object extra) throws SQLException {\n")
                .append("        switch (op) {\n            case NEXT:\n                return results.next();\n");
        for (Map.Entry<String, List<Method>> op : reads.entrySet()) {
            out.append("            case ").append(constant(op.getKey())).append(":\n");
            Method any = op.getValue().get(0);
            boolean isVoid = any.getReturnType() == void.class;
            if (byColumn(any)) {
                String extra = extraCast(any);
                String rest = extra.isEmpty() ? "" : ", " + extra;
                out.append("                return label != null ? results.").append(any.getName()).append("(label").append(rest)
                        .append(") : results.").append(any.getName()).append("(index").append(rest).append(");\n");
            } else if (isVoid) {
                out.append("                results.").append(any.getName()).append("();\n                return null;\n");
            } else {
                out.append("                return results.").append(any.getName()).append(any.getParameterCount() == 1 ? "(index)" : "()").append(";\n");
            }
        }
        out.append("            default:\n                throw new IllegalArgumentException(\"no read \" + op);\n        }\n    }\n}\n");
        return out.toString();
    }

    private static String extraCast(Method m) {
        if (m.getParameterCount() < 2) {
            return "";
        }
        Class<?> type = m.getParameterTypes()[1];
        if (type == int.class) {
            return "(Integer) extra";
        }
        return "(" + (type == Class.class ? "Class" : typeName(type)) + ") extra";
    }
}
