@sim @faults @links
Feature: Broken links and damaged frames in the middle of an upgrade
  Cables come loose and lines pick up noise. A link broken for a moment, a dropped, corrupted or
  delayed frame, or garbage on the line must cost a retry, never the upgrade. A link that stays
  broken must fail the run with a report that names the link.

  Background:
    Given the bench is powered on
    And every chip runs version "1.0.0"

  Scenario: A link broken for 2 seconds mid-transfer costs a retry, not the upgrade
    Given the link above chip3 will break both ways for 2000 ms at 50% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every fault fired
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: Acknowledgements lost for 2 seconds: the target keeps its data and the transfer resumes
    Given the link above chip3 will break upstream only for 2000 ms at 30% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every fault fired
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: A link that stays broken fails the run with a report naming the link
    Given the link above chip3 will break for good at 50% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then the upgrade fails and the report names the link above chip3

  Scenario: Dropped DATA frames are sent again
    Given 3 DATA frames going down the link above chip3 will be dropped at 30% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every fault fired
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: A corrupted DATA frame is rejected by its CRC and sent again
    Given the next DATA frame going down the link above chip3 will have bit 3 of byte 40 flipped at 40% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every fault fired
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: A corrupted DATA_ACK is ignored and the transfer goes on
    Given the next DATA_ACK frame going up the link above chip3 will have bit 0 of byte 12 flipped at 60% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every fault fired
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: A lost START_ACK makes the module send START again
    Given 1 START_ACK frame going up the link above chip3 will be dropped when the first START reaches chip3
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every fault fired
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: Frames delayed by 50 ms for a second slow the transfer but do not break it
    Given frames going down the link above chip3 will be delayed by 50 ms for 1000 ms at 20% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every fault fired
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: Garbage on the line between frames is skipped
    Given 200 bytes of garbage will be put on the link above chip3 going down at 50% of chip3's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then every fault fired
    And the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle
