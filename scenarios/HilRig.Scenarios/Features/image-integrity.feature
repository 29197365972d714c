@sim @faults @integrity
Feature: Only an image whose digest checks out is ever activated
  A chip writes a new image to its inactive slot and activates it only after the SHA-256 of the body
  matches the image header. An image altered on the way is rejected, and the chip keeps running the
  image it had, and says why.

  Background:
    Given the bench is powered on
    And every chip runs version "1.0.0"

  Scenario: An image whose body does not match its digest is rejected and the old image stays active
    When the server upgrades chip3 to version "1.1.0" with an image whose body does not match its digest
    Then chip3 rejects its image because the digest does not match, and stays on version "1.0.0"
