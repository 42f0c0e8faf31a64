{#-
    The standard XDM event types the project knows: the eventType value, the measure that marks it when an export
    carries no eventType (real exports often set only e.g. commerce.purchases.value = 1), and a label for features
    and reason codes. Order matters for derivation: the first measure that is set wins, so purchases come before
    checkouts and product views.
-#}
{% macro customer_ai_standard_event_types() %}
    {{ return([
        {'event_type': 'commerce.purchases', 'measure': 'commerce.purchases.value', 'label': 'Purchases', 'noun': 'purchase'},
        {'event_type': 'commerce.checkouts', 'measure': 'commerce.checkouts.value', 'label': 'Checkouts', 'noun': 'checkout'},
        {'event_type': 'commerce.productListAdds', 'measure': 'commerce.productListAdds.value', 'label': 'Cart adds', 'noun': 'cart add'},
        {'event_type': 'commerce.productListRemovals', 'measure': 'commerce.productListRemovals.value', 'label': 'Cart removals', 'noun': 'cart removal'},
        {'event_type': 'commerce.productListOpens', 'measure': 'commerce.productListOpens.value', 'label': 'Carts opened', 'noun': 'cart opened'},
        {'event_type': 'commerce.productListViews', 'measure': 'commerce.productListViews.value', 'label': 'Cart views', 'noun': 'cart view'},
        {'event_type': 'commerce.productViews', 'measure': 'commerce.productViews.value', 'label': 'Product views', 'noun': 'product view'},
        {'event_type': 'directMarketing.emailClicked', 'measure': 'directMarketing.emailClicked.value', 'label': 'Email clicks', 'noun': 'email click'},
        {'event_type': 'directMarketing.emailOpened', 'measure': 'directMarketing.emailOpened.value', 'label': 'Email opens', 'noun': 'email open'},
        {'event_type': 'directMarketing.emailSent', 'measure': 'directMarketing.emailSent.value', 'label': 'Emails received', 'noun': 'email received'},
        {'event_type': 'directMarketing.emailUnsubscribed', 'measure': 'directMarketing.emailUnsubscribed.value', 'label': 'Email unsubscribes', 'noun': 'email unsubscribe'},
        {'event_type': 'application.launch', 'measure': 'application.launches.value', 'label': 'App launches', 'noun': 'app launch'},
        {'event_type': 'application.install', 'measure': 'application.installs.value', 'label': 'App installs', 'noun': 'app install'},
        {'event_type': 'web.webinteraction.linkClicks', 'measure': 'web.webInteraction.linkClicks.value', 'label': 'Link clicks', 'noun': 'link click'},
        {'event_type': 'web.webpagedetails.pageViews', 'measure': 'web.webPageDetails.pageViews.value', 'label': 'Page views', 'noun': 'page view'},
    ]) }}
{% endmacro %}


{#- Event types that get count and recency features: the var, or every standard type. -#}
{% macro customer_ai_feature_event_types() %}
    {%- set configured = var('customer_ai__feature_event_types', none) -%}
    {%- if configured is none -%}
        {%- set configured = [] -%}
        {%- for t in customer_ai_standard_event_types() -%}{%- do configured.append(t.event_type) -%}{%- endfor -%}
    {%- endif -%}
    {%- set result = [] -%}
    {%- for event_type in configured -%}
        {%- set found = namespace(label=event_type ~ ' events', noun=event_type ~ ' event') -%}
        {%- for t in customer_ai_standard_event_types() if t.event_type == event_type -%}
            {%- set found.label = t.label -%}
            {%- set found.noun = t.noun -%}
        {%- endfor -%}
        {%- do result.append({'activity': event_type, 'slug': customer_ai_slug(event_type), 'label': found.label, 'noun': found.noun}) -%}
    {%- endfor -%}
    {{ return(result) }}
{% endmacro %}


{#- A SQL-safe, lower-case snake_case name: commerce.productViews -> commerce_product_views. -#}
{% macro customer_ai_slug(text) %}
    {%- set out = modules.re.sub('([a-z0-9])([A-Z])', '\\1_\\2', text) -%}
    {%- set out = modules.re.sub('[^A-Za-z0-9]+', '_', out).strip('_').lower() -%}
    {{ return(out) }}
{% endmacro %}
