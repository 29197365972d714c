@sim @tree @upgrade
Feature: Upgrade order on a tree of chips
  On the tree bench chip2 and chip3 both hang off chip1. The product's upgrade order is set on the
  server; any order in which every chip comes after the chips below it is accepted.

  Background:
    Given the bench "sim-tree" is powered on
    And every chip runs version "1.0.0"

  Scenario Outline: The tree upgrades in the order the user sets
    When the server upgrades every chip to version "1.1.0" in the order <order> while the rig watches every chip's mode
    Then the chips were upgraded in the order <order>
    And while each chip was the target, the chips nearer the module passed traffic through and the chips already upgraded slept
    And every chip runs version "1.1.0" with the exact image digest of its bundle

    Examples:
      | order               |
      | chip2, chip3, chip1 |
      | chip3, chip2, chip1 |

  Scenario: Upgrading the branch chip first is refused: it would sleep on the way to its children
    When the server upgrades every chip to version "1.1.0" in the order chip1, chip3, chip2
    Then the upgrade order is refused because chip1 would be asleep on the path to chip3
    And every chip is in initial mode on version "1.0.0" with nothing persisted

  Scenario: A leaf chip whose device body is operating blocks the whole upgrade
    Given the device body of chip3 is operating
    When the server upgrades every chip to version "1.1.0" in the default order
    Then the upgrade is refused because chip3 is operating
    And every chip is in initial mode on version "1.0.0" with nothing persisted
