-- One row per customer on D (a non-erased contact with a valid order dated on or
-- before D): what the purchase and spend models need, in days. The valid orders of
-- one customer on one day are one transaction, as in the papers.
with

orders as (
    select * from {{ ref('int_valid_orders') }}
    where contact_id is not null
),

transactions as (
    select
        contact_id,
        order_date,
        sum(total_amount) as transaction_value
    from orders
    group by contact_id, order_date
),

firsts as (
    select
        contact_id,
        min(order_date) as first_order_date
    from transactions
    group by contact_id
),

customers as (
    select
        transactions.contact_id,
        firsts.first_order_date,
        max(transactions.order_date) as last_order_date,
        count(*) as transactions,
        sum(transactions.transaction_value) as value_total,
        sum(
            case
                when transactions.order_date > firsts.first_order_date
                    then transactions.transaction_value
                else 0
            end
        ) as repeat_value_total
    from transactions
    inner join firsts on transactions.contact_id = firsts.contact_id
    group by transactions.contact_id, firsts.first_order_date
),

final as (
    select
        contact_id,
        {{ as_of_date() }} as as_of_date,
        first_order_date,
        last_order_date,
        cast(transactions as {{ dbt.type_bigint() }}) as transactions,
        cast(transactions - 1 as {{ dbt.type_bigint() }}) as repeat_transactions,
        cast(
            {{ dbt.datediff('first_order_date', 'last_order_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as recency_days,
        cast(
            {{ dbt.datediff('first_order_date', as_of_date(), 'day') }}
            as {{ dbt.type_bigint() }}
        ) as age_days,
        cast(value_total as decimal(18, 2)) as value_total,
        cast(repeat_value_total as decimal(18, 2)) as repeat_value_total
    from customers
)

select * from final
