@sim @links @selective-ack
Feature: A link that loses frames costs only the frames it lost
  A noisy cable loses DATA frames. A chip that speaks protocol 1.2 keeps the frames that arrive after
  a lost one and says which of them it holds, so the module sends again only what was lost
  (docs/protocol.md §7.3.1). A chip that still speaks 1.1 upgrades on the same link with go-back-N:
  slower, but it must still upgrade with a 1.2 module.

  Background:
    Given the bench is powered on
    And every chip runs version "1.0.0"

  Scenario: Chips speaking 1.2 behind a link that loses every fifth DATA frame are sent little more than their images
    Given every fifth DATA frame going down the link above chip1 is lost
    When the server upgrades every chip to version "1.1.0" in the default order
    Then the upgrade completes
    And every chip runs version "1.1.0" with the exact image digest of its bundle
    And the module sent at most 1.5 times chip1's image
    And the module sent at most 1.5 times chip3's image

  Scenario: A chip speaking 1.1 behind a link that loses every fifth DATA frame still upgrades with a 1.2 module
    Given chip3 speaks protocol 1.1
    And every fifth DATA frame going down the link above chip3 is lost
    When the server upgrades every chip to version "1.1.0" in the order chip3
    Then the upgrade completes
    And chip3 runs version "1.1.0" with the exact image digest of its bundle, in Initial mode
