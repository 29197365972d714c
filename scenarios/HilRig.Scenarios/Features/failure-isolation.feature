@sim @faults @upgrade
Feature: A chip that fails does not undo the chips upgraded before it
  This is why the default order is far-to-near: when a chip's upgrade fails after the chips beyond it
  completed, those chips keep their new images, the failed chip keeps an image it can boot (the new
  image went to its inactive slot and was never activated), the campaign names exactly the chip that
  failed and the chips already done, and a retry of the campaign starts at the failed chip: the
  chips done before it receive no image byte again.
  These scenarios run on the run's bench (wiring/sim-chain.yaml unless --wiring says otherwise).

  Background:
    Given the bench is powered on
    And every chip runs version "1.0.0"

  Scenario: A chip rejects its image after the far chip completed, and a retry upgrades only the chips from it on
    When the server upgrades every chip to version "1.1.0" in the default order, with an image for chip2 whose body does not match its digest
    Then the upgrade fails naming chip2 and no other chip
    And chip3 runs version "1.1.0" with the exact image digest of its bundle, in Initial mode
    And chip2 still boots its old version "1.0.0"
    When the server retries the campaign
    Then the retry upgraded chip2 and the chips after it in the order, and sent no image byte to the chips before it
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: A chip dies in the middle of its transfer after the far chip completed, and a retry upgrades only the chips from it on
    Given chip2 will die at 50% of chip2's transfer
    When the server upgrades every chip to version "1.1.0" in the default order
    Then the upgrade fails naming chip2 and no other chip
    When chip2 is powered on again
    Then chip2 still boots its old version "1.0.0"
    When the server retries the campaign
    Then the retry upgraded chip2 and the chips after it in the order, and sent no image byte to the chips before it
    And every chip runs version "1.1.0" with the exact image digest of its bundle
