"""Policy snippets shared by the policy tests: four tiers and a consistent rule set over value x risk."""

TIERS = """
tiers:
  fast: {rank: 1, lane: fast, queue: priority, queue_priority: 1, first_response_s: 60, resolution_h: 24,
         channels: [phone, chat], auto_approve_limit: 100, escalation: senior, cost_per_contact: 5}
  std: {rank: 2, lane: standard, queue: standard, queue_priority: 2, first_response_s: 600, resolution_h: 48,
        channels: [chat], auto_approve_limit: 20, escalation: lead, cost_per_contact: 3}
  eco: {rank: 3, lane: standard, queue: standard, queue_priority: 3, first_response_s: 3600, resolution_h: 96,
        channels: [email], auto_approve_limit: 10, escalation: lead, cost_per_contact: 2}
  held: {rank: 4, lane: blocked, queue: review, queue_priority: 2, first_response_s: 900, resolution_h: 96,
         channels: [email], auto_approve_limit: 0, escalation: trust, verification: before_any_action,
         cost_per_contact: 9}
unknown_customer_tier: std
orderings:
  value: [high, medium, low]
  risk: [low, normal, high]
"""

CONSISTENT_RULES = """
rules:
  - name: risky
    when: {risk: high}
    tier: held
    precedence: 10
    reason: verify risky customers first
  - name: top
    when: {value: high, risk: [low, normal]}
    tier: fast
  - name: mid
    when: {value: medium, risk: [low, normal]}
    tier: std
  - name: bottom
    when: {value: low, risk: [low, normal]}
    tier: eco
"""
