@sim @conformance
Feature: Conformance: a chip and the processor's frames (protocol 1.2)
  docs/protocol.md §1, §4, §6.1 and §7.7: the module and the device's processor exchange CONTROL,
  CONTROL_REPLY, BODY_STATUS, OTA_NOTICE and OTA_ANSWER over chip 1's UART. A chip, whatever its
  version, ignores one of them that is for it (its address, or a broadcast, which goes no further than
  the first chip), and forwards one for another chip or for the module byte for byte, like any frame
  for others. The rig sends chip1 each frame from one side and watches what chip1 puts on every one
  of its ports.

  Background:
    Given the bench is powered on

  Scenario Outline: A <frame> frame for chip1 is ignored: not answered, not forwarded, nothing changes
    When the rig sends chip1 a <frame> frame for <address> from upstream
    Then chip1 forwards nothing downstream within 300 ms
    And chip1 sends nothing upstream within 300 ms
    And chip1 still answers STATUS as before

    Examples:
      | frame      | address    |
      | CONTROL    | chip1      |
      | OTA_NOTICE | chip1      |
      | CONTROL    | every chip |
      | OTA_NOTICE | every chip |

  Scenario Outline: A <frame> frame for another chip is forwarded downstream byte for byte
    When the rig sends chip1 a <frame> frame for chip2 from upstream
    Then chip1 forwards it downstream byte for byte within 300 ms
    And chip1 sends nothing upstream within 300 ms
    And chip1 still answers STATUS as before

    Examples:
      | frame      |
      | CONTROL    |
      | OTA_NOTICE |

  Scenario Outline: A <frame> frame for the module coming up from below is forwarded upstream byte for byte
    When the rig sends chip1 a <frame> frame for the module from downstream
    Then chip1 forwards it upstream byte for byte within 300 ms
    And chip1 sends nothing downstream within 300 ms

    Examples:
      | frame         |
      | CONTROL_REPLY |
      | BODY_STATUS   |
      | OTA_ANSWER    |
