@sim @upgrade
Feature: Multi-chip OTA upgrade over the UART chain
  The comm module upgrades the chips behind it one at a time, in the order the server gives
  (far-to-near by default). While a chip is the target, the chips between it and the module pass
  traffic through, and the chips already upgraded sleep until the target's completion wakes them.
  These scenarios run on the run's bench (wiring/sim-chain.yaml unless --wiring says otherwise).

  Background:
    Given the bench is powered on
    And every chip runs version "1.0.0"

  Scenario: Every chip is upgraded far-to-near and ends on the new image, byte for byte
    When the server upgrades every chip to version "1.1.0" in the default order
    Then the chips were upgraded in the bench's default order
    And every chip runs version "1.1.0" with the exact image digest of its bundle
    And no image byte was sent twice

  Scenario: Nearer chips pass traffic through and upgraded chips sleep while each chip is the target
    When the server upgrades every chip to version "1.1.0" in the default order while the rig watches every chip's mode
    Then while each chip was the target, the chips nearer the module passed traffic through and the chips already upgraded slept
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: PREPARE is refused while the device body is operating, and nothing is written
    Given the device body of chip2 is operating
    When the server upgrades every chip to version "1.1.0" in the default order
    Then the upgrade is refused because chip2 is operating
    And every chip is in initial mode on version "1.0.0" with nothing persisted

  Scenario: An order that would route traffic through a sleeping chip is refused before anything is written
    When the server upgrades every chip to version "1.1.0" in the order chip1, chip2, chip3
    Then the upgrade order is refused because chip1 would be asleep on the path to chip2
    And every chip is in initial mode on version "1.0.0" with nothing persisted
