{#-
    The XDM event types the project knows.

    Each entry: the canonical event type (the eventType value, matched case-insensitively and ignoring surrounding
    blanks), the XDM measures that mark it (`<path>.value` > 0; real exports often set only measures and no
    eventType), a label and a noun for features and reason codes, and whether it gets count and recency features by
    default. One event can carry several types: every measure that is set is an activity of its own (a product view
    is also a page view), and so is the eventType when it is present (stg_experience_events.event_types lists them).

    Order matters only for the one primary type an event also gets (stg_experience_events.event_type): the eventType
    when present, else the first type in this list whose measure is set, so purchases come before cart events, and
    site and app activity before email (an email event belongs to no session).

    Sources: the XDM ExperienceEvent eventType known values, and the measures of the Commerce Details, Web Details,
    Application Details and Direct marketing field groups. directMarketing has two spellings in the wild: the XDM
    field group's measures (sends, opens, clicks, unsubscriptions, bounces) and <eventType>.value (emailOpened.value).
-#}
{% macro customer_ai_standard_event_types() %}
    {{ return([
        {'event_type': 'commerce.purchases', 'measures': ['commerce.purchases.value'], 'label': 'Purchases', 'noun': 'purchase', 'features': true},
        {'event_type': 'commerce.checkouts', 'measures': ['commerce.checkouts.value'], 'label': 'Checkouts', 'noun': 'checkout', 'features': true},
        {'event_type': 'commerce.productListAdds', 'measures': ['commerce.productListAdds.value'], 'label': 'Cart adds', 'noun': 'cart add', 'features': true},
        {'event_type': 'commerce.productListRemovals', 'measures': ['commerce.productListRemovals.value'], 'label': 'Cart removals', 'noun': 'cart removal', 'features': true},
        {'event_type': 'commerce.productListOpens', 'measures': ['commerce.productListOpens.value'], 'label': 'Carts opened', 'noun': 'cart opened', 'features': true},
        {'event_type': 'commerce.productListReopens', 'measures': ['commerce.productListReopens.value'], 'label': 'Carts reopened', 'noun': 'cart reopened', 'features': true},
        {'event_type': 'commerce.productListViews', 'measures': ['commerce.productListViews.value'], 'label': 'Cart views', 'noun': 'cart view', 'features': true},
        {'event_type': 'commerce.saveForLaters', 'measures': ['commerce.saveForLaters.value'], 'label': 'Products saved for later', 'noun': 'product saved for later', 'features': true},
        {'event_type': 'commerce.productViews', 'measures': ['commerce.productViews.value'], 'label': 'Product views', 'noun': 'product view', 'features': true},
        {'event_type': 'web.webinteraction.linkClicks', 'measures': ['web.webInteraction.linkClicks.value'], 'label': 'Link clicks', 'noun': 'link click', 'features': true},
        {'event_type': 'web.webpagedetails.pageViews', 'measures': ['web.webPageDetails.pageViews.value'], 'label': 'Page views', 'noun': 'page view', 'features': true},
        {'event_type': 'web.formFilledOut', 'measures': [], 'label': 'Forms filled out', 'noun': 'form filled out', 'features': true},
        {'event_type': 'application.launch', 'measures': ['application.launches.value'], 'label': 'App launches', 'noun': 'app launch', 'features': true},
        {'event_type': 'application.firstLaunches', 'measures': ['application.firstLaunches.value'], 'label': 'First app launches', 'noun': 'first app launch', 'features': true},
        {'event_type': 'application.installs', 'measures': ['application.installs.value'], 'label': 'App installs', 'noun': 'app install', 'features': true},
        {'event_type': 'application.upgrades', 'measures': ['application.upgrades.value'], 'label': 'App upgrades', 'noun': 'app upgrade', 'features': true},
        {'event_type': 'application.featureUsages', 'measures': ['application.featureUsages.value'], 'label': 'App feature uses', 'noun': 'app feature use', 'features': true},
        {'event_type': 'application.crashes', 'measures': ['application.crashes.value'], 'label': 'App crashes', 'noun': 'app crash', 'features': true},
        {'event_type': 'application.close', 'measures': ['application.applicationCloses.value', 'application.closes.value'], 'label': 'App closes', 'noun': 'app close', 'features': true},
        {'event_type': 'directMarketing.emailClicked', 'measures': ['directMarketing.emailClicked.value', 'directMarketing.clicks.value'], 'label': 'Email clicks', 'noun': 'email click', 'features': true},
        {'event_type': 'directMarketing.emailOpened', 'measures': ['directMarketing.emailOpened.value', 'directMarketing.opens.value'], 'label': 'Email opens', 'noun': 'email open', 'features': true},
        {'event_type': 'directMarketing.emailUnsubscribed', 'measures': ['directMarketing.emailUnsubscribed.value', 'directMarketing.unsubscriptions.value'], 'label': 'Email unsubscribes', 'noun': 'email unsubscribe', 'features': true},
        {'event_type': 'directMarketing.emailSent', 'measures': ['directMarketing.emailSent.value', 'directMarketing.sends.value'], 'label': 'Emails received', 'noun': 'email received', 'features': true},
        {'event_type': 'directMarketing.emailDelivered', 'measures': ['directMarketing.emailDelivered.value'], 'label': 'Emails delivered', 'noun': 'email delivered', 'features': false},
        {'event_type': 'directMarketing.emailBounced', 'measures': ['directMarketing.bounces.value'], 'label': 'Email bounces', 'noun': 'email bounce', 'features': false},
        {'event_type': 'directMarketing.emailBouncedSoft', 'measures': [], 'label': 'Soft email bounces', 'noun': 'soft email bounce', 'features': false},
        {'event_type': 'pushTracking.applicationOpened', 'measures': [], 'label': 'App opens from a push message', 'noun': 'app open from a push message', 'features': false},
        {'event_type': 'pushTracking.customAction', 'measures': [], 'label': 'Push message actions', 'noun': 'push message action', 'features': false},
        {'event_type': 'decisioning.propositionDisplay', 'measures': [], 'label': 'Offers displayed', 'noun': 'offer displayed', 'features': false},
        {'event_type': 'decisioning.propositionInteract', 'measures': [], 'label': 'Offer interactions', 'noun': 'offer interaction', 'features': false},
        {'event_type': 'message.feedback', 'measures': [], 'label': 'Message feedback', 'noun': 'message feedback', 'features': false},
        {'event_type': 'message.tracking', 'measures': [], 'label': 'Message tracking', 'noun': 'message tracking', 'features': false},
        {'event_type': 'delivery.feedback', 'measures': [], 'label': 'Delivery feedback', 'noun': 'delivery feedback', 'features': false},
        {'event_type': 'advertising.impressions', 'measures': [], 'label': 'Ad impressions', 'noun': 'ad impression', 'features': false},
        {'event_type': 'advertising.clicks', 'measures': [], 'label': 'Ad clicks', 'noun': 'ad click', 'features': false},
        {'event_type': 'advertising.conversions', 'measures': [], 'label': 'Ad conversions', 'noun': 'ad conversion', 'features': false},
        {'event_type': 'advertising.starts', 'measures': [], 'label': 'Ad starts', 'noun': 'ad start', 'features': false},
        {'event_type': 'advertising.completes', 'measures': [], 'label': 'Ad completes', 'noun': 'ad complete', 'features': false},
        {'event_type': 'advertising.firstQuartiles', 'measures': [], 'label': 'Ad first quartiles', 'noun': 'ad first quartile', 'features': false},
        {'event_type': 'advertising.midpoints', 'measures': [], 'label': 'Ad midpoints', 'noun': 'ad midpoint', 'features': false},
        {'event_type': 'advertising.thirdQuartiles', 'measures': [], 'label': 'Ad third quartiles', 'noun': 'ad third quartile', 'features': false},
        {'event_type': 'advertising.timePlayed', 'measures': [], 'label': 'Ad time played', 'noun': 'ad time played', 'features': false},
        {'event_type': 'advertising.federated', 'measures': [], 'label': 'Federated ads', 'noun': 'federated ad', 'features': false},
        {'event_type': 'listOperation.addToList', 'measures': [], 'label': 'Added to a list', 'noun': 'addition to a list', 'features': false},
        {'event_type': 'listOperation.removeFromList', 'measures': [], 'label': 'Removed from a list', 'noun': 'removal from a list', 'features': false},
        {'event_type': 'leadOperation.newLead', 'measures': [], 'label': 'New leads', 'noun': 'new lead', 'features': false},
        {'event_type': 'leadOperation.convertLead', 'measures': [], 'label': 'Leads converted', 'noun': 'lead conversion', 'features': false},
        {'event_type': 'leadOperation.scoreChanged', 'measures': [], 'label': 'Lead score changes', 'noun': 'lead score change', 'features': false},
        {'event_type': 'leadOperation.statusInCampaignProgressionChanged', 'measures': [], 'label': 'Campaign status changes', 'noun': 'campaign status change', 'features': false},
        {'event_type': 'leadOperation.interestingMoment', 'measures': [], 'label': 'Interesting moments', 'noun': 'interesting moment', 'features': false},
        {'event_type': 'opportunityEvent.addToOpportunity', 'measures': [], 'label': 'Added to an opportunity', 'noun': 'addition to an opportunity', 'features': false},
        {'event_type': 'opportunityEvent.removeFromOpportunity', 'measures': [], 'label': 'Removed from an opportunity', 'noun': 'removal from an opportunity', 'features': false},
        {'event_type': 'opportunityEvent.opportunityUpdated', 'measures': [], 'label': 'Opportunity updates', 'noun': 'opportunity update', 'features': false},
    ]) }}
{% endmacro %}


{#-
    Every event type staging accepts: the standard ones and customer_ai__extra_event_types (your own eventType
    values, as text or {event_type, label, noun}). An eventType that is not among them is rejected as an unknown
    event type, so that a misspelt type never silently counts as nothing.
-#}
{% macro customer_ai_known_event_types() %}
    {%- set known = customer_ai_standard_event_types() | list -%}
    {%- for extra in var('customer_ai__extra_event_types') or [] -%}
        {%- set name = extra.event_type if extra is mapping else extra -%}
        {%- do known.append({'event_type': name, 'measures': [], 'features': true,
            'label': (extra.get('label') if extra is mapping else none) or (name ~ ' events'),
            'noun': (extra.get('noun') if extra is mapping else none) or (name ~ ' event')}) -%}
    {%- endfor -%}
    {{ return(known) }}
{% endmacro %}


{#- The event types that carry at least one measure, in derivation order. -#}
{% macro customer_ai_measured_event_types() %}
    {%- set measured = [] -%}
    {%- for t in customer_ai_standard_event_types() if t.measures -%}{%- do measured.append(t) -%}{%- endfor -%}
    {{ return(measured) }}
{% endmacro %}


{#- Event types that get count and recency features: the var, or every known type marked for features. -#}
{% macro customer_ai_feature_event_types() %}
    {%- set known = customer_ai_known_event_types() -%}
    {%- set configured = var('customer_ai__feature_event_types') -%}
    {%- if configured is none -%}
        {%- set configured = [] -%}
        {%- for t in known if t.features -%}{%- do configured.append(t.event_type) -%}{%- endfor -%}
    {%- endif -%}
    {%- set result = [] -%}
    {%- for event_type in configured -%}
        {%- set found = namespace(label=event_type ~ ' events', noun=event_type ~ ' event') -%}
        {%- for t in known if t.event_type == event_type -%}
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
