{#-
    Shared cleaning rules of the staging layer.
-#}

{#- The WHATWG HTML "valid e-mail address" pattern (lower case: emails are
    normalised first), requiring at least one dot in the domain. -#}
{% macro email_pattern() -%}
    {{ return("[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+") }}
{%- endmacro %}

{#- Free text: leading/trailing ASCII whitespace removed; empty becomes null. -#}
{% macro clean_text(column) -%}
    nullif({{ trim_whitespace('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') }}, '')
{%- endmacro %}

{#- Code fields are trimmed and case-normalised before they are validated. -#}
{% macro clean_code(column, case='lower') -%}
    {%- if case == 'upper' -%}
        upper({{ clean_text(column) }})
    {%- else -%}
        lower({{ clean_text(column) }})
    {%- endif -%}
{%- endmacro %}

{#- Normalised email: lower(trim(email)); empty is null. -#}
{% macro normalise_email(column) -%}
    {{ clean_code(column, 'lower') }}
{%- endmacro %}

{#- True when a normalised email is valid (null is not valid). -#}
{% macro is_valid_email(normalised_email) -%}
    coalesce({{ regex_full_match(normalised_email, email_pattern()) }}, false)
{%- endmacro %}

{#- The accepted values of the raw contract's code fields
    (models/staging/_raw__sources.yml, through macros/_raw_contract.sql). -#}
{% macro raw_accepted_values(table, column) -%}
    {{ return(raw_contract()[table]['accepted_values'][column]) }}
{%- endmacro %}

{#- The raw tables of the data contract (models/staging/_raw__sources.yml), in
    its order; each has a base_raw__<table> and a stg_raw__<table> model. -#}
{% macro raw_table_names() -%}
    {{ return(raw_contract().keys() | list) }}
{%- endmacro %}

{#- SQL list literal of the accepted values: ('a', 'b'). -#}
{% macro sql_values(values) -%}
    ({%- for value in values -%}'{{ value }}'{{ ', ' if not loop.last }}{%- endfor -%})
{%- endmacro %}

{#- A value outside its accepted values: unknown codes of optional fields become
    null (gender, signup_source). -#}
{% macro null_unless_accepted(expr, table, column) -%}
    case when {{ expr }} in {{ sql_values(raw_accepted_values(table, column)) }} then {{ expr }} end
{%- endmacro %}

{#-
    Row fate: every raw row is staged, erased, or quarantined with a reason.
    A model lists its checks in order as (condition, reason, detail) triples; the
    first condition that holds names the fate. The helpers below build the
    checks shared by many tables.
-#}

{#- Empty key columns and duplicate keys (from flag_key_duplicates). -#}
{% macro key_checks(key_columns, alias) -%}
    {%- set checks = [] -%}
    {%- for column in key_columns -%}
        {%- do checks.append((alias ~ '.' ~ column ~ ' is null', 'missing_key', "'" ~ column ~ " is empty'")) -%}
    {%- endfor -%}
    {%- do checks.append((alias ~ '._key_conflict', 'conflicting_duplicate', "'differing rows share this key'")) -%}
    {%- do checks.append((alias ~ '._occurrence > 1', 'exact_duplicate', "'identical to another row'")) -%}
    {{ return(checks) }}
{%- endmacro %}

{#- Columns that must have a value. -#}
{% macro required_checks(columns, alias) -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- do checks.append((alias ~ '.' ~ column ~ ' is null', 'missing_value', "'" ~ column ~ " is empty'")) -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}

{#- Code fields must hold one of their accepted values; optional ones may be null. -#}
{% macro code_checks(table, columns, alias, optional=[]) -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- set expr = alias ~ '.' ~ column -%}
        {%- if column not in optional -%}
            {%- do checks.append((expr ~ ' is null', 'missing_value', "'" ~ column ~ " is empty'")) -%}
        {%- endif -%}
        {%- do checks.append((
            expr ~ ' not in ' ~ sql_values(raw_accepted_values(table, column)),
            'invalid_value',
            "'" ~ column ~ " = ' || " ~ expr
        )) -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}

{#- A contact_id that is set must belong to a staged contact. -#}
{% macro unknown_contact_check(alias, staged_alias) -%}
    {{ return([(
        alias ~ '.contact_id is not null and ' ~ staged_alias ~ '.contact_id is null',
        'unknown_contact',
        "'contact_id = ' || " ~ alias ~ ".contact_id"
    )]) }}
{%- endmacro %}

{#- The row_fate and fate_detail columns from a list of checks. -#}
{% macro fate_columns(checks) -%}
    case
        {%- for condition, reason, detail in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
        else 'staged'
    end as row_fate,
    case
        {%- for condition, reason, detail in checks %}
        when {{ condition }} then {{ detail }}
        {%- endfor %}
    end as fate_detail
{%- endmacro %}

{#- A text fingerprint of a row, for telling identical rows from differing ones. -#}
{% macro row_fingerprint(columns) -%}
    {{ dbt.hash(_fingerprint_text(columns)) }}
{%- endmacro %}

{% macro _fingerprint_text(columns) -%}
    {%- for column in columns -%}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>'){{ " || '|' || " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#-
    The rows of the select `cleaned_sql` with duplicate-key flags added, for tables
    whose key must be unique in staging:
      _occurrence   1..n numbering the rows that share the key, identical rows next
                    to each other (1 for almost every row)
      _key_conflict true when the rows sharing the key are not all identical
    Duplicate keys are rare: they are found with one aggregation, and only their
    rows go through the (expensive, sorting) window; every other row streams
    through with occurrence 1. The window orders by a fast hash of the whole row,
    so identical rows sort together and the result is the same on every run.
    `cleaned_sql` is inlined as a subquery each time (not a CTE): engines
    materialise a CTE that is read more than once, which at tens of millions of
    rows costs more than reading the source again.
-#}
{% macro flag_key_duplicates(cleaned_sql, key_columns, columns, text_table=none) -%}
    {%- set key = key_columns | join(', ') -%}
    {%- set key_hash = fast_row_hash(key_columns) -%}
    {#- the text problem of each row (text_checks), computed once per row -#}
    {%- set text_issue = (', ' ~ text_issue_expression(text_table) ~ ' as _text_issue') if text_table else '' -%}
    with

    {#- a hash of the key: an equality join on it works on every engine, nulls
        included; a collision only sends a row through the window, which
        partitions by the key itself #}
    duplicate_keys as (
        select {{ key_hash }} as _key_hash
        from ({{ cleaned_sql }}) as cleaned
        group by {{ key_hash }}
        having count(*) > 1
    )

    select
        {{ columns | join(', ') }},
        1 as _occurrence,
        false as _key_conflict{{ text_issue }}
    from ({{ cleaned_sql }}) as rows_to_check
    where {{ key_hash }} not in (select duplicate_keys._key_hash from duplicate_keys)

    union all

    select
        {{ columns | join(', ') }},
        row_number() over (partition by {{ key }} order by _row_hash) as _occurrence,
        min(_row_hash) over (partition by {{ key }}) <> max(_row_hash) over (partition by {{ key }}) as _key_conflict
        {%- if text_table %}, _text_issue{% endif %}
    from (
        select
            {{ columns | join(', ') }},
            {{ fast_row_hash(columns) }} as _row_hash{{ text_issue }}
        from ({{ cleaned_sql }}) as rows_to_check
        where {{ key_hash }} in (select duplicate_keys._key_hash from duplicate_keys)
    ) as duplicated
{%- endmacro %}

{#-
    The select list of a base model: the cleaned columns, then
      occurrence       1..n among rows sharing the key
      row_key          the key columns as text, '|'-separated (names the row in stg_quarantine)
      row_fate         'staged', 'erased' or the quarantine reason
      fate_detail      what exactly was wrong
-#}
{% macro fate_select(columns, key_columns, alias, checks) -%}
    {%- for column in columns %}
        {{ alias }}.{{ column }},
    {%- endfor %}
        {{ alias }}._occurrence as occurrence,
        {% for column in key_columns -%}
        coalesce(cast({{ alias }}.{{ column }} as {{ dbt.type_string() }}), '')
        {%- if not loop.last %} || '|' || {% endif %}
        {%- endfor %} as row_key,
        {{ fate_columns(checks) | indent(8) }}
{%- endmacro %}

{% macro columns_with_alias(columns, alias) -%}
    {%- set prefixed = [] -%}
    {%- for column in columns -%}
        {%- do prefixed.append(alias ~ '.' ~ column) -%}
    {%- endfor -%}
    {{ return(prefixed) }}
{%- endmacro %}

{#-
    The final select of a base model. Erased rows stay as tombstones (their fate,
    nothing else: no data of an erased contact is kept) so that the raw rows can
    be reconciled; quarantined rows get a fingerprint that identifies them.
-#}
{% macro base_output(columns, relation='classified', extra_columns=[]) -%}
    {%- for column in columns %}
    case when row_fate = 'erased' then null else {{ column }} end as {{ column }},
    {%- endfor %}
    {%- for column in extra_columns %}
    {{ column }},
    {%- endfor %}
    occurrence,
    case when row_fate = 'erased' then null else row_key end as row_key,
    case
        when row_fate not in ('staged', 'erased')
            then {{ row_fingerprint(columns + ['occurrence']) }}
    end as row_fingerprint,
    row_fate,
    fate_detail
from {{ relation }}
{%- endmacro %}

{#-
    Incremental event tables: a row of this run's batch whose key already
    belongs to a row before the batch window (a late copy of an old event) is a
    duplicate: exact if identical to the earlier row, else conflicting (the
    earlier row stays as it was). Returns the join and the check.
-#}
{% macro earlier_duplicates_cte(key, columns) -%}
    {%- if is_incremental() -%}
    select
        {{ key }},
        min({{ fast_row_hash(columns) }}) as lowest_hash,
        max({{ fast_row_hash(columns) }}) as highest_hash
    from {{ this }}
    where
        occurred_on < {{ incremental_cutoff_date() }}
        and row_fate <> 'erased'
        and {{ key }} in (select keyed.{{ key }} from keyed)
    group by {{ key }}
    {%- else -%}
    select
        {{ key }},
        {{ fast_row_hash(columns) }} as lowest_hash,
        {{ fast_row_hash(columns) }} as highest_hash
    from keyed
    where 1 = 0
    {%- endif -%}
{%- endmacro %}

{% macro earlier_duplicate_checks(alias, columns) -%}
    {%- set row_hash = fast_row_hash(columns_with_alias(columns, alias)) -%}
    {{ return([
        (
            'earlier_rows.' ~ 'lowest_hash = ' ~ row_hash ~ ' and earlier_rows.highest_hash = ' ~ row_hash,
            'exact_duplicate',
            "'identical to an earlier row'"
        ),
        (
            'earlier_rows.lowest_hash is not null',
            'conflicting_duplicate',
            "'differs from an earlier row with this key'"
        ),
    ]) }}
{%- endmacro %}

{#-
    Text that must never reach a send list as it is: a control character
    (U+0000 to U+001F, U+007F, or U+FFFD where the loader replaced a NUL byte)
    in any text column of a raw table that can reach a send list (every column
    but the event tables' own ids, URLs and codes: config.meta.text_check
    false in the contract), or a value longer than the column's
    limit in bytes: config.meta.max_bytes in models/staging/_raw__sources.yml,
    else var('text_max_bytes') (255, Mailchimp's limit for merge fields, the
    tightest of the ESPs). Such a row is quarantined as invalid_text, with the
    column and the problem (never the value) as the detail. One cheap test of
    the whole row first; only the rare failing row is examined column by column.
    Protective rows are never quarantined for their text (`unless`: an opt-out,
    an unsubscribe, a bounce), and the erasure and suppression lists get no
    text check at all: protection must not shrink because a field is messy.
-#}
{% macro text_checks(table, alias, unless=none) -%}
    {%- if not raw_text_limits(table) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set condition = alias ~ '._text_issue is not null' -%}
    {%- if unless -%}
        {%- set condition = 'not coalesce(' ~ unless ~ ', false) and ' ~ condition -%}
    {%- endif -%}
    {{ return([(condition, 'invalid_text', alias ~ '._text_issue')]) }}
{%- endmacro %}

{#- The text problem of a row of `table` (null: none), over its unqualified text
    columns: select it once per row as _text_issue (flag_key_duplicates does
    with text_table), then text_checks reads it. -#}
{% macro text_issue_expression(table) -%}
    {%- set limits = raw_text_limits(table) -%}
    {%- set whole_row = [] -%}
    {%- set fits = [] -%}
    {%- for column, limit in limits -%}
        {%- do whole_row.append('coalesce(' ~ column ~ ", '')") -%}
        {%- do fits.append('coalesce(' ~ byte_length(column) ~ ', 0) <= ' ~ limit) -%}
    {%- endfor -%}
    case
        when not {{ has_control_character(whole_row | join(' || ')) }} and {{ fits | join(' and ') }} then null
        {%- for column, limit in limits %}
        when {{ has_control_character(column) }} then '{{ column }} has a control character'
        {%- endfor %}
        {%- for column, limit in limits %}
        when {{ byte_length(column) }} > {{ limit }} then '{{ column }} is longer than {{ limit }} bytes'
        {%- endfor %}
    end
{%- endmacro %}

{#- (column, limit in bytes) of every text column of a raw table, in contract order. -#}
{% macro raw_text_limits(table) -%}
    {%- set limits = [] -%}
    {%- for name, data_type, max_bytes, checked in raw_contract()[table]['columns'] if data_type == 'text' and checked -%}
        {%- do limits.append((name, max_bytes or var('text_max_bytes'))) -%}
    {%- endfor -%}
    {{ return(limits) }}
{%- endmacro %}
