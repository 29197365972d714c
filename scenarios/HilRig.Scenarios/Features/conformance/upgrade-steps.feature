@sim @conformance
Feature: Conformance: PREPARE, START, the transfer, activation and COMPLETE, seen on both sides of a chip
  docs/protocol.md §6, §7 and §12: the rig plays the module and sends chip1 each step of an upgrade itself, then
  watches every port of chip1 and asks chip1 what it is. PREPARE is answered once, for chip1 and every chip
  below it, and a refusal below is passed up; so is START (protocol 1.1). A target's STATUS describes the image that would boot at every
  step: the old one until the one mark write that activates the new one. COMPLETE goes out on every port and a
  received COMPLETE is passed on to every other port. A START for an image already activated is answered
  ALREADY_UPGRADED. A frame whose payload does not decode is ignored. A chip cut off comes back in the mode it
  had persisted, and a START_ACK is only sent once the mode it announces is written.
  These run on any bench whose chip1 has a relay link above it and below it, whatever the chip's implementation;
  the two cuts inside a flash operation need chips that cut their own power there (a virtual bench).

  Background:
    Given the bench is powered on

  Scenario: PREPARE is answered once, upstream, for the chip and every chip below it
    When the rig sends chip1 a PREPARE with a budget of 1500 ms from upstream
    Then chip1 answers one PREPARE_ACK Ready upstream within 1500 ms, listing itself and every chip below it

  Scenario: A refusal below is passed up, naming the chip that refused
    Given the device body of chip2 is operating
    When the rig sends chip1 a PREPARE with a budget of 1500 ms from upstream
    Then chip1 answers one PREPARE_ACK RefusedOperating upstream within 1500 ms, reported by chip2

  Scenario: START is answered once, upstream, for the chip and every chip below it
    When the rig makes chip1 the target of a campaign from upstream
    Then chip1 answers one START_ACK upstream within 1000 ms, its own answer first and then one from every chip below it

  Scenario: A target reports the image it runs until the new one is activated, then sends COMPLETE on every port
    When the rig makes chip1 the target of a campaign from upstream
    Then chip1 answers START_ACK in Upgrade mode upstream within 1000 ms
    And chip1 answers STATUS in Upgrade mode, still running the image it had before
    When the rig sends chip1 the first 4096 bytes of its image in DATA frames of 512 bytes from upstream
    Then chip1 answers each DATA frame with one DATA_ACK upstream within 3000 ms, the last saying persisted 4096 and next 4096
    And chip1 answers STATUS in Upgrade mode, still running the image it had before
    When the rig sends chip1 the rest of its image in DATA frames of 512 bytes from upstream
    Then chip1 sends COMPLETE Activated upstream and on every downstream port within 5000 ms
    And chip1 answers STATUS in Initial mode, running the new image from the other slot

  Scenario: An image whose body does not match its digest is not activated
    When the rig makes chip1 the target of a campaign from upstream with an image whose body does not match its digest
    Then chip1 answers START_ACK in Upgrade mode upstream within 1000 ms
    When the rig sends chip1 the rest of its image in DATA frames of 512 bytes from upstream
    Then chip1 sends COMPLETE DigestMismatch upstream and on every downstream port within 5000 ms
    And chip1 answers STATUS in Initial mode, still running the image it had before

  Scenario: A START for an image already activated in the campaign is answered ALREADY_UPGRADED, with a COMPLETE
    When the rig upgrades chip1 to a new image from upstream
    And the rig sends chip1 the same START again from upstream
    Then chip1 answers START_ACK AlreadyUpgraded in Initial mode upstream within 1000 ms
    And chip1 sends COMPLETE Activated upstream and on every downstream port within 5000 ms
    And chip1 answers STATUS in Initial mode, running the new image from the other slot

  Scenario: A COMPLETE from below is passed on to every other port, and not back the way it came
    When the rig sends chip1 a COMPLETE of chip2 from downstream
    Then chip1 forwards it upstream byte for byte within 300 ms
    And chip1 passes it on to every other downstream port, and not back the way it came, within 300 ms
    And chip1 answers STATUS in Initial mode

  Scenario: A COMPLETE from above is passed down to every chip below, and not back up
    When the rig sends chip1 a COMPLETE of chip2 from upstream
    Then chip1 forwards it downstream byte for byte within 300 ms
    And chip1 sends nothing upstream within 300 ms

  Scenario: A START whose payload does not decode is ignored
    When the rig sends chip1 a START for chip1 whose payload is cut short from upstream
    Then chip1 sends nothing upstream within 300 ms
    And chip1 forwards nothing downstream within 300 ms
    And chip1 still answers STATUS as before

  Scenario: A pass-through chip forwards every frame for a chip below it, byte for byte
    When the rig sends chip1 a START for chip2 from upstream
    Then chip1 answers START_ACK in PassThrough mode upstream within 1000 ms
    When the rig sends chip1 10 DATA frames for chip2 from upstream
    Then chip1 forwards every one of them downstream byte for byte within 1000 ms

  Scenario: A target cut off in the middle of its transfer comes back in UPGRADE and resumes where it had persisted
    When the rig makes chip1 the target of a campaign from upstream
    Then chip1 answers START_ACK in Upgrade mode upstream within 1000 ms
    When the rig sends chip1 the first 4096 bytes of its image in DATA frames of 512 bytes from upstream
    Then chip1 answers each DATA frame with one DATA_ACK upstream within 3000 ms, the last saying persisted 4096 and next 4096
    When chip1 loses power and comes back
    Then chip1 answers STATUS in Upgrade mode, still running the image it had before
    When the rig sends chip1 the same START again from upstream
    Then chip1 answers START_ACK in Upgrade mode from offset 4096 upstream within 1000 ms

  Scenario: A sleeping chip cut off comes back asleep, and a COMPLETE wakes it
    When the rig upgrades chip1 to a new image from upstream
    And the rig sends chip1 a START of that campaign for chip2 from upstream
    Then chip1 answers START_ACK in Sleep mode upstream within 1000 ms
    When chip1 loses power and comes back
    And the rig sends chip1 a STATUS_REQ frame for chip1 from upstream
    Then chip1 sends nothing upstream within 300 ms
    When chip1 gets the COMPLETE of that campaign from chip2 below it
    Then chip1 answers STATUS in Initial mode

  Scenario: A START_ACK is sent only once the mode it announces is written
    Given chip1 will lose power inside its 2nd flash operation from now
    When the rig makes chip1 the target of a campaign from upstream
    Then chip1 loses power inside that flash operation and comes back in the mode of any START_ACK it sent

  Scenario: A cut inside a mark write leaves the mark written before it
    When the rig sends chip1 a START for chip2 from upstream
    Then chip1 answers START_ACK in PassThrough mode upstream within 1000 ms
    Given chip1 will lose power inside its 1st flash operation from now
    When the rig makes chip1 the target of a campaign from upstream
    Then chip1 loses power inside that flash operation and comes back in PassThrough or Upgrade mode of that campaign
