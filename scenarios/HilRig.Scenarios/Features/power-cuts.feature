@sim @faults @power
Feature: Power cuts in the middle of an upgrade
  A device can lose power at any moment of a multi-chip upgrade. Every chip persists its mode before
  it acts on it, so after the power returns each chip must come back in the mode it had persisted,
  the target must resume its transfer no earlier than the offset it had acknowledged, and the upgrade
  must then finish with the exact image on every chip. The rig learns what each chip had persisted
  from the frames it saw before the cut; it restores power to the chips first, asks every chip for
  its STATUS (a sleeping chip stays silent), and only then powers the comm module back on.

  Background:
    Given the bench is powered on
    And every chip runs version "1.0.0"

  Scenario Outline: The whole device loses power <moment> and every chip resumes
    Given the whole device will lose power for 300 ms <moment>
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every chip resumes from its persisted mode
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle
    And at most one window of image bytes was sent again per power cut

    Examples: points of the first target's transfer
      | moment                                              |
      | at byte 0 of chip3's transfer                       |
      | at byte 1 of chip3's transfer                       |
      | at 50% of chip3's transfer                          |
      | at 99% of chip3's transfer                          |
      | when chip3 acknowledges the last byte of its image  |

    Examples: moments around the transfer
      | moment                                              |
      | when the first PREPARE reaches chip2                |
      | when the first START reaches chip2                  |
      | when the first COMPLETE from chip3 leaves chip3     |
      | at 50% of chip2's transfer                          |
      | at 50% of chip1's transfer                          |

  Scenario: Only the target loses power in the middle of its transfer
    Given chip3 will lose power for 300 ms at 50% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every chip resumes from its persisted mode
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: A pass-through chip loses power while it forwards another chip's image
    Given chip1 will lose power for 300 ms at 50% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every chip resumes from its persisted mode
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: A sleeping chip loses power and comes back asleep
    Given chip3 will lose power for 300 ms at 50% of chip2's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every chip resumes from its persisted mode
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: The comm module loses power in the middle of a transfer and resumes the campaign
    Given the module will lose power for 500 ms at 50% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every chip resumes from its persisted mode
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle
    And at most one window of image bytes was sent again per power cut

  @slow
  Scenario: Ten power cuts in one transfer
    Given the whole device will lose power for 200 ms at byte 1 of chip3's transfer
    And the whole device will lose power for 200 ms at every 10% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every fault fired
    And every chip resumes from its persisted mode
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle
    And at most one window of image bytes was sent again per power cut
