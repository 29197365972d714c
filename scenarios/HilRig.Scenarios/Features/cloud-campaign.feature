@sim @cloud
Feature: Chip upgrades driven by the target OTA server
  The target server holds the chips' firmware and an upgrade order per product. It sends the module
  a campaign (order and images) for the chips whose version differs from the one it holds, older or
  newer (a withdrawn release is rolled back); the module downloads and checks every image over
  HTTP, runs the chain upgrade, and relays every event back, so completion travels chip -> module
  -> server.

  Background:
    Given the module is configured for vendor server "acme"
    And the bench is powered on
    And every chip runs version "1.0.0"
    And the module reports WiFi firmware "2.0.0" to the target server

  Scenario: A campaign from the target server upgrades every chip far-to-near and the server hears each completion
    Given the target server publishes version "1.1.0" for every chip
    When the target server starts a campaign for the module
    Then the target server receives "campaign-complete" for the campaign
    And the target server received "chip-complete" from every chip before its parent's
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: The product's upgrade order set on the target server is the order the chips are upgraded in
    Given the target server publishes version "1.1.0" for every chip
    And the target server's upgrade order for the product is the bench's default order
    When the target server starts a campaign for the module
    Then the target server receives "campaign-complete" for the campaign
    And the chips were upgraded in the bench's default order

  Scenario: Only the chips whose version differs are in the campaign
    Given the target server publishes version "1.1.0" for the farthest chip only
    When the target server starts a campaign for the module
    Then the target server receives "campaign-complete" for the campaign
    And only the farthest chip was upgraded

  Scenario: A chip release withdrawn on the target server is rolled back on the chip that runs it
    Given the target server has upgraded every chip to version "1.1.0"
    And the target server publishes version "1.0.0" for the farthest chip only
    When the target server starts a campaign for the module
    Then the target server receives "campaign-complete" for the campaign
    And only the farthest chip was in the campaign, and it runs version "1.0.0" while every other chip runs "1.1.0"

  Scenario: A campaign refused because the device body is operating is reported to the server and writes nothing
    Given the device body of chip1 is operating
    And the target server publishes version "1.1.0" for every chip
    When the target server starts a campaign for the module
    Then the target server receives "prepare-refused" for the campaign
    And every chip is in initial mode on version "1.0.0" with nothing persisted

  Scenario: The network drops while the module downloads the campaign's images and the campaign still completes
    Given the target server publishes version "1.1.0" for every chip
    And the network will go down for 2000 ms when the module has downloaded 5000 bytes of chip firmware
    When the target server starts a campaign for the module
    Then the target server receives "campaign-complete" for the campaign
    And every fault fired
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: A campaign image with the wrong SHA-256 fails the campaign before any chip is touched
    Given the target server publishes version "1.1.0" for every chip
    And the target server will alter the bytes of the next firmware download
    When the target server starts a campaign for the module
    Then the target server receives "campaign-failed" for the campaign naming "SHA-256"
    And every chip is in initial mode on version "1.0.0" with nothing persisted

  Scenario: Control commands keep flowing through the vendor server while the chips are upgraded
    Given the target server publishes version "1.1.0" for every chip
    When the target server starts a campaign for the module
    And vendor server "acme" sends the module 5 "ping" commands while the chips are upgraded
    Then every command was answered, each once
    And the target server receives "campaign-complete" for the campaign

  @embedded-broker @alone
  Scenario: The target server's broker restarts during a campaign and no event is lost
    Given the target server publishes version "1.1.0" for every chip
    And the target server's broker will restart, down for 2000 ms, at 50% of chip3's transfer
    When the target server starts a campaign for the module
    Then the target server receives "campaign-complete" for the campaign
    And the target server received "chip-complete" from every chip before its parent's
    And every fault fired

  Scenario: A campaign that failed on a chip is retried by the target server from that chip, and the chips done before it get no image byte
    Given the target server publishes version "1.1.0" for every chip
    And chip2 will die at 50% of chip2's transfer
    When the target server starts a campaign for the module
    Then the target server receives "campaign-failed" for the campaign
    And the target server's campaign record names chip2 as the chip the campaign failed on
    When chip2 is powered on again
    Then chip2 still boots its old version "1.0.0"
    When the target server retries the campaign
    Then the target server receives "campaign-complete" for the retry
    And the retry resumed at chip2 and sent no image byte to the chips completed before it
    And every chip runs version "1.1.0" with the exact image digest of its bundle
