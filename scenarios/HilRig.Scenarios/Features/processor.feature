@sim @cloud
Feature: The device's processor and the WiFi module
  The device's processor sits on the module's UART at chip 1's address (docs/protocol.md §7.7). It
  hands the module its network config (PROVISION); the module hands it the device body's control
  commands from the vendor server (CONTROL) and gives the vendor its reply (CONTROL_REPLY), answering
  only "ping" and "get-status" itself; the processor reports the body's power, operating flag and
  mode (BODY_STATUS), which the module publishes to the vendor server; and the module tells the
  processor of every OTA instruction before carrying it out (OTA_NOTICE): the processor accepts, or
  answers BUSY while the device body is operating, and the module holds the upgrade until it accepts.
  On the bench the rig stands as the processor on the link between the module and chip 1.

  Background:
    Given the module is configured for vendor server "acme"
    And the bench is powered on
    And the rig stands as the device's processor
    And the module is connected to vendor server "acme"

  Scenario: The processor re-provisions a configured module to another vendor server
    When the processor sends PROVISION for vendor server "rival" on SSID "hilrig-lab" with passphrase "hilrig-pass"
    Then the module answers PROVISION_ACK "ACCEPTED"
    And the module is connected to vendor server "rival"
    And the target server holds a report from the module with WiFi firmware "2.0.0" and vendor server "rival"

  Scenario: A vendor's command for the device body reaches the processor, and the processor's reply reaches the vendor
    When vendor server "acme" sends the module "set-power" "off"
    Then the processor received "set-power" "off" with the vendor's command id
    And vendor server "acme" gets the reply ok "power off"
    And vendor server "acme" receives a status report with power "off"

  Scenario: The processor's failure is the vendor's reply
    Given the processor answers "set-mode" with failure "door open"
    When vendor server "acme" sends the module "set-mode" "turbo"
    Then the processor received "set-mode" "turbo" with the vendor's command id
    And vendor server "acme" gets the reply failed "door open"

  Scenario: A command the processor does not answer is reported to the vendor as timed out
    Given the processor answers nothing
    When vendor server "acme" sends the module "set-power" "off"
    Then the processor received "set-power" "off" with the vendor's command id
    And vendor server "acme" gets a failed reply starting with "timeout:"

  Scenario: A command sent again with the same id runs once on the processor
    When vendor server "acme" sends the module "set-mode" "eco" twice with the same command id
    Then vendor server "acme" gets the reply ok "mode eco" both times
    And the processor ran that command once

  Scenario: The module answers "ping" itself
    When vendor server "acme" sends the module "ping" ""
    Then vendor server "acme" gets the reply ok "pong"
    And the processor received no control command

  Scenario: The processor's status report reaches the vendor server and the module's get-status
    When the processor reports the device body operating in mode "wash"
    Then vendor server "acme" receives a status report with power "on", operating, and mode "wash"
    And the module's "get-status" answer through vendor server "acme" says power "on", operating, and mode "wash"

  Scenario: The module's own upgrade is announced to the processor and carried out when it accepts
    Given the module reports WiFi firmware "2.0.0" to the target server
    When the target server publishes WiFi firmware "2.1.0"
    Then the processor accepted the OTA notice of the module's own firmware "2.1.0"
    And the module reports WiFi firmware "2.1.0" from slot "B" to the target server after rebooting

  Scenario: The module's own upgrade is held while the processor is busy, and carried out once it accepts
    Given the device body is operating
    And the module reports WiFi firmware "2.0.0" to the target server
    When the target server publishes WiFi firmware "2.1.0"
    Then the target server receives the module's "ota-deferred" event
    And the processor answered BUSY to the OTA notice of the module's own firmware "2.1.0" at least 2 times
    And the module still runs WiFi firmware "2.0.0" from slot "A"
    When the device body stops operating
    Then the module reports WiFi firmware "2.1.0" from slot "B" to the target server after rebooting

  Scenario: A chip campaign is announced to the processor, naming every chip, and carried out when it accepts
    Given every chip runs version "1.0.0"
    And the module reports WiFi firmware "2.0.0" to the target server
    And the target server publishes version "1.1.0" for every chip
    When the target server starts a campaign for the module
    Then the processor accepted the OTA notice of the campaign, naming every chip at version "1.1.0"
    And the target server receives "campaign-complete" for the campaign
    And every chip runs version "1.1.0" with the exact image digest of its bundle

  Scenario: A chip campaign is held while the processor is busy, and runs once it accepts
    Given every chip runs version "1.0.0"
    And the module reports WiFi firmware "2.0.0" to the target server
    And the target server publishes version "1.1.0" for every chip
    And the device body is operating
    When the target server starts a campaign for the module
    Then the target server receives the module's "ota-deferred" event
    And the processor answered BUSY to the OTA notice of the campaign at least 2 times
    And every chip is in initial mode on version "1.0.0" with nothing persisted
    When the device body stops operating
    Then the target server receives "campaign-complete" for the campaign
    And every chip runs version "1.1.0" with the exact image digest of its bundle
