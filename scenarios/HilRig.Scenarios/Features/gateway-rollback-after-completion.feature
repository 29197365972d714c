@sim @cloud @gateway
Feature: A gateway node that goes bad after its upgrade finished is rolled back
  The GMS rolls a logical node's binding back when a new access node misbehaves, also after the
  upgrade has finished and the old node was shut (the design's closing example). The old node is gone,
  so the GMS starts a node of the previous version on a spare server, binds it, tells the devices on
  the bad node to go offline (reason "rollback") and shuts the bad node once they have left
  (docs/cloud.md §5.4, "Rollback after completion"). No command is lost or run twice meanwhile.
  The bench's cluster (wiring/sim-chain.yaml): logical node gw-1 with access node gw-1.1 (version
  1.0.0), where the module is.

  Background:
    Given the bench is powered on
    And the module is connected to its gateway node

  Scenario: A new node that goes bad after its old node was shut is rolled back, and no command is lost
    Given the GMS watches the new nodes for 30 s after an upgrade finished
    When the vendor backend sends the module a "ping" command every 100 ms through the gateway
    And the GMS upgrades logical node "gw-1" to version "2.0.0"
    Then access node "gw-1.1" was unbound and shut
    When access node "gw-1.2" starts dropping its connections
    And the vendor backend sends the module 5 "ping" commands through the gateway
    Then the GMS rolls logical node "gw-1" back to version "1.0.0" on a new access node, and shuts "gw-1.2"
    And the module is on an access node of version "1.0.0"
    And every command sent through the gateway was answered exactly once
