@sim @cloud
Feature: Device credentials and topic ACLs on the vendor servers
  Each vendor server accepts a device only with its own id and secret, and lets it read and write
  its own topics only, so one device can never see or steer another.

  Background:
    Given the module is configured for vendor server "acme"
    And the bench is powered on
    And the module is connected to vendor server "acme"

  Scenario: A client with the wrong secret is refused
    When a client connects to vendor server "acme" as "dev-0001" with the secret "guess"
    Then the connection is refused as not authorized

  Scenario: Another device can neither read nor steer this device
    When device "dev-0002" connects to vendor server "acme" with its own secret
    Then it never receives what the vendor backend sends on the module's control topic
    And its command published on the module's control topic never reaches the module
