{#-
    Engine-specific SQL lives only here, behind adapter.dispatch, with an
    implementation for DuckDB, PostgreSQL and Spark each. Models call the
    top-level macro and never an engine function directly.
-#}

{#- Remove leading and trailing ASCII whitespace (space, tab, CR, LF). -#}
{% macro trim_whitespace(expr) -%}
    {{ return(adapter.dispatch('trim_whitespace', 'followup')(expr)) }}
{%- endmacro %}

{#- Only values that start or end with whitespace are trimmed: the check is
    several times cheaper than trim() with a set of characters, and almost no
    value needs it. -#}
{% macro default__trim_whitespace(expr) -%}
    {%- set whitespace = "(' ', chr(9), chr(10), chr(13))" -%}
    case
        when
            substr({{ expr }}, 1, 1) in {{ whitespace }}
            or substr({{ expr }}, length({{ expr }}), 1) in {{ whitespace }}
            then trim(both ' ' || chr(9) || chr(10) || chr(13) from {{ expr }})
        else {{ expr }}
    end
{%- endmacro %}

{#- True when the whole string matches the regular expression `pattern`
    (a Python string; quoting and escaping for the engine happen here). -#}
{% macro regex_full_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'followup')(expr, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_full_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{% macro postgres__regex_full_match(expr, pattern) -%}
    ({{ expr }} ~ '^(?:{{ pattern | replace("'", "''") }})$')
{%- endmacro %}

{% macro spark__regex_full_match(expr, pattern) -%}
    ({{ expr }} rlike '^(?:{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }})$')
{%- endmacro %}

{#- Integer value (0 .. 4294967295) of the first 8 hex digits of md5(expr). -#}
{% macro md5_prefix_int(expr) -%}
    {{ return(adapter.dispatch('md5_prefix_int', 'followup')(expr)) }}
{%- endmacro %}

{% macro duckdb__md5_prefix_int(expr) -%}
    cast(('0x' || substr(md5({{ expr }}), 1, 8)) as bigint)
{%- endmacro %}

{% macro postgres__md5_prefix_int(expr) -%}
    (('x' || substr(md5({{ expr }}), 1, 8))::bit(32)::bigint)
{%- endmacro %}

{% macro spark__md5_prefix_int(expr) -%}
    cast(conv(substr(md5({{ expr }}), 1, 8), 16, 10) as bigint)
{%- endmacro %}

{#- Integer division of two non-negative integers, rounding down. -#}
{% macro int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_div', 'followup')(numerator, denominator)) }}
{%- endmacro %}

{% macro duckdb__int_div(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro postgres__int_div(numerator, denominator) -%}
    div(({{ numerator }}), ({{ denominator }}))
{%- endmacro %}

{% macro spark__int_div(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

{#- 8-byte floating point. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'followup')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}

{#- Hour of day (0-23) of a timestamp, as an integer. -#}
{% macro hour_of(ts) -%}
    {{ date_part_int('hour', ts) }}
{%- endmacro %}

{#- A part (year, month, day, hour, dow) of a date or timestamp, as an integer. -#}
{% macro date_part_int(part, expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'followup')(part, expr)) }}
{%- endmacro %}

{% macro default__date_part_int(part, expr) -%}
    cast(extract({{ part }} from {{ expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{#- Remainder of the integer division of two non-negative integers. -#}
{% macro int_mod(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_mod', 'followup')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__int_mod(numerator, denominator) -%}
    mod(({{ numerator }}), ({{ denominator }}))
{%- endmacro %}

{#- Whole days from date `start` to date `end` (end - start), as an integer. -#}
{% macro days_between(start, end) -%}
    {{ return(adapter.dispatch('days_between', 'followup')(start, end)) }}
{%- endmacro %}

{% macro default__days_between(start, end) -%}
    cast(({{ end }} - {{ start }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__days_between(start, end) -%}
    datediff({{ end }}, {{ start }})
{%- endmacro %}

{#- A fast, non-cryptographic hash of a row's columns, for telling identical rows
    from differing ones (never for anything that leaves the warehouse). -#}
{% macro fast_row_hash(columns) -%}
    {{ return(adapter.dispatch('fast_row_hash', 'followup')(columns)) }}
{%- endmacro %}

{% macro duckdb__fast_row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__fast_row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{% macro default__fast_row_hash(columns) -%}
    {{ row_fingerprint(columns) }}
{%- endmacro %}

{#- SHA-256 of a text value as 64 lower-case hex digits (UTF-8 bytes), the same
    on every engine and in Python's hashlib: used where the warehouse must
    recognise an email without keeping it (the erasure ledger, the send log). -#}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'followup')(expr)) }}
{%- endmacro %}

{% macro duckdb__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}

{% macro postgres__sha256_hex(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro spark__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{#- Length of a text value in bytes (UTF-8). -#}
{% macro byte_length(expr) -%}
    {{ return(adapter.dispatch('byte_length', 'followup')(expr)) }}
{%- endmacro %}

{% macro duckdb__byte_length(expr) -%}
    strlen({{ expr }})
{%- endmacro %}

{% macro default__byte_length(expr) -%}
    octet_length({{ expr }})
{%- endmacro %}

{#- True when a text value holds a control character (U+0000 to U+001F, U+007F)
    or U+FFFD, the replacement character the loader puts where a NUL byte was
    (PostgreSQL cannot store NUL). Null is false. -#}
{% macro has_control_character(expr) -%}
    {{ return(adapter.dispatch('has_control_character', 'followup')(expr)) }}
{%- endmacro %}

{% macro duckdb__has_control_character(expr) -%}
    coalesce(regexp_matches({{ expr }}, '[\x00-\x1f\x7f\x{FFFD}]'), false)
{%- endmacro %}

{% macro postgres__has_control_character(expr) -%}
    coalesce(({{ expr }} ~ '[\x01-\x1f\x7f\uFFFD]'), false)
{%- endmacro %}

{% macro spark__has_control_character(expr) -%}
    coalesce(({{ expr }} rlike '[\\x00-\\x1f\\x7f\\uFFFD]'), false)
{%- endmacro %}

{#-
    Snowflake and BigQuery. These implementations follow each engine's
    documented SQL so that moving there is a profile change; they are not
    exercised by this project's CI (no such warehouse is reachable from it).
-#}
{% macro snowflake__trim_whitespace(expr) -%}
    trim({{ expr }}, ' \t\r\n')
{%- endmacro %}

{% macro bigquery__trim_whitespace(expr) -%}
    trim({{ expr }}, ' \t\r\n')
{%- endmacro %}

{% macro snowflake__regex_full_match(expr, pattern) -%}
    regexp_like({{ expr }}, '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}')
{%- endmacro %}

{% macro bigquery__regex_full_match(expr, pattern) -%}
    regexp_contains({{ expr }}, r'^(?:{{ pattern | replace("'", "\\'") }})$')
{%- endmacro %}

{% macro snowflake__md5_prefix_int(expr) -%}
    to_number(substr(md5({{ expr }}), 1, 8), 'XXXXXXXX')
{%- endmacro %}

{% macro bigquery__md5_prefix_int(expr) -%}
    cast(concat('0x', substr(to_hex(md5({{ expr }})), 1, 8)) as int64)
{%- endmacro %}

{% macro snowflake__int_div(numerator, denominator) -%}
    floor(({{ numerator }}) / ({{ denominator }}))
{%- endmacro %}

{% macro bigquery__int_div(numerator, denominator) -%}
    div(({{ numerator }}), ({{ denominator }}))
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}

{% macro bigquery__days_between(start, end) -%}
    date_diff({{ end }}, {{ start }}, day)
{%- endmacro %}

{% macro snowflake__fast_row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{#- Fresh statistics for a table just built, where the engine needs them for a
    sane plan: PostgreSQL plans joins on a never-analyzed table as if it had a
    few rows (nested loops over millions). A project-wide post-hook. -#}
{% macro analyze_table(relation) -%}
    {{ return(adapter.dispatch('analyze_table', 'followup')(relation)) }}
{%- endmacro %}

{% macro default__analyze_table(relation) -%}
{%- endmacro %}

{% macro postgres__analyze_table(relation) -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro snowflake__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{% macro bigquery__sha256_hex(expr) -%}
    to_hex(sha256({{ expr }}))
{%- endmacro %}

{% macro bigquery__byte_length(expr) -%}
    byte_length({{ expr }})
{%- endmacro %}

{% macro snowflake__has_control_character(expr) -%}
    coalesce(regexp_like({{ expr }}, '.*[\\x00-\\x1f\\x7f\\uFFFD].*', 's'), false)
{%- endmacro %}

{% macro bigquery__has_control_character(expr) -%}
    coalesce(regexp_contains({{ expr }}, r'[\x00-\x1f\x7f\x{FFFD}]'), false)
{%- endmacro %}
