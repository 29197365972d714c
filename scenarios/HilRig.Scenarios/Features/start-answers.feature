@sim @upgrade
Feature: Every chip's START answer reaches the module before the image is sent
  When the module sends START for a chip, every chip the START reaches answers: the target that it is
  ready to receive, the chips nearer the module that they pass traffic through, the chips already
  upgraded that they go to sleep. The answers travel back up hop by hop, the deepest chip's first,
  each chip adding its own to those of the chips below it (docs/protocol.md §7.2, protocol 1.1). The
  module streams no image byte until the answer of every chip of the device is in; if one is
  missing it says which chip, tries START again, and in the end fails naming that chip.
  These scenarios run on the run's bench (wiring/sim-chain.yaml unless --wiring says otherwise).

  Background:
    Given the bench is powered on
    And every chip runs version "1.0.0"
    And the rig records the frames between the module and the first chip

  Scenario: Every chip's START answer reaches the module, the deepest chip's first, before any image data
    When the server upgrades every chip to version "1.1.0" in the default order
    Then before each chip's image data the module had a START answer from every chip, the deepest chip's first
    And each START answer gave the mode of the design: the target Upgrade, the chips already upgraded Sleep, the others PassThrough
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: The module sends no image data while a chip's START answer is missing, and names that chip
    Given the link above chip3 will break for good when the first COMPLETE from chip3 reaches the module
    When the server upgrades every chip to version "1.1.0" in the default order
    Then no image data was sent to chip2
    And the module reported that chip3's START answer was missing while chip2 was the target
    And the upgrade fails for chip2, naming chip3 whose START answer is missing
