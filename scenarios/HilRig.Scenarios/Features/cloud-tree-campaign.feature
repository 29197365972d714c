@sim @cloud @tree
Feature: Chip campaigns from the target OTA server on a tree of chips
  On the tree bench chip2 and chip3 both hang off chip1. The target server holds an upgrade order
  per product; when one is set, a campaign follows it end to end: the server plans the campaign in
  that order instead of its default far-to-near, the module checks the order against the chain and
  runs it, and every chip's completion travels back to the server. An order that would put chip1
  to sleep on the path to its children is refused by the module before anything is written. A
  chip whose version differs from the server's, newer included, is brought to the server's version.

  Background:
    Given the module is configured for vendor server "acme"
    And the bench "sim-tree" is powered on
    And every chip runs version "1.0.0"
    And the module reports WiFi firmware "2.0.0" to the target server

  Scenario: A campaign follows the product's order set on the target server, not the default far-to-near
    Given the target server publishes version "1.1.0" for every chip
    And the target server's upgrade order for the product is chip2, chip3, chip1
    When the target server starts a campaign for the module
    Then the target server receives "campaign-complete" for the campaign
    And the target server's campaign named the order chip2, chip3, chip1
    And the chips were upgraded in the order chip2, chip3, chip1
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: An order set on the target server that upgrades chip1 before its children is refused and writes nothing
    Given the target server publishes version "1.1.0" for every chip
    And the target server's upgrade order for the product is chip1, chip3, chip2
    When the target server starts a campaign for the module
    Then the target server receives "order-refused" for the campaign
    And the upgrade order is refused because chip1 would be asleep on the path to chip3
    And every chip is in initial mode on version "1.0.0" with nothing persisted

  Scenario: A chip release withdrawn on the target server is rolled back on a leaf of the tree
    Given the target server has upgraded every chip to version "1.1.0"
    And the target server publishes version "1.0.0" for the farthest chip only
    When the target server starts a campaign for the module
    Then the target server receives "campaign-complete" for the campaign
    And only the farthest chip was in the campaign, and it runs version "1.0.0" while every other chip runs "1.1.0"
